package dev.gymrpc.envs.box2d;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.envs.Step;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A manual throughput measurement: prints steps/s (by wall clock and by this thread's CPU time, which
 * is less disturbed by other processes on a shared machine); asserts nothing about time.
 */
class LunarLanderSpeedTest {

    @Test
    void randomStepsPerSecond() {
        measure("LunarLander-v3", new LunarLanderDiscrete(), 200_000);
    }

    private static void measure(String name, LunarLanderDiscrete env, int steps) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        SplittableRandom actions = new SplittableRandom(0);
        run(env, actions, 30_000); // warm-up
        long cpu0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long[] counts = run(env, actions, steps);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
        System.out.printf("%s random actions: %d steps with %d resets: wall %.2f s = %.0f steps/s; "
                + "thread CPU %.2f s = %.0f steps/s (%.1f us/step incl. resets)%n", name, steps, counts[0], wall,
                steps / wall, cpu, steps / cpu, cpu * 1e6 / steps);
        assertTrue(counts[1] != 0);
    }

    private static long[] run(LunarLanderDiscrete env, SplittableRandom actions, int steps) {
        long resets = 0;
        long checksum = 0;
        env.reset(1L, Map.of());
        for (int i = 0; i < steps; i++) {
            Step s = env.step(actions.nextInt(4));
            checksum += Float.floatToIntBits(s.observation()[0]);
            // the registered time limit: the random policy rarely needs it, but an episode resting on its
            // legs can last long
            if (s.terminated() || s.truncated() || (i + 1) % 1000 == 0) {
                env.reset();
                resets++;
            }
        }
        return new long[] {resets, checksum == 0 ? 1 : checksum};
    }
}
