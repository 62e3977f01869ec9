package dev.gymrpc.envs.box2d;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.envs.Step;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A manual throughput measurement: prints steps/s, asserts nothing about time. */
class LunarLanderSpeedTest {

    @Test
    void randomStepsPerSecond() {
        LunarLanderDiscrete env = new LunarLanderDiscrete();
        SplittableRandom actions = new SplittableRandom(0);
        run(env, actions, 30_000); // warm-up
        int steps = 200_000;
        long t0 = System.nanoTime();
        long[] counts = run(env, actions, steps);
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("LunarLander-v3 random actions: %d steps, %d resets in %.2f s = %.0f steps/s "
                + "(%.1f us/step incl. resets)%n", steps, counts[0], secs, steps / secs, secs * 1e6 / steps);
        assertTrue(counts[1] != 0);
    }

    private static long[] run(LunarLanderDiscrete env, SplittableRandom actions, int steps) {
        long resets = 1;
        long checksum = 0;
        env.reset(1L, Map.of());
        for (int i = 0; i < steps; i++) {
            Step s = env.step(actions.nextInt(4));
            checksum += Float.floatToIntBits(s.observation()[0]);
            if (s.terminated() || s.truncated()) {
                env.reset();
                resets++;
            }
        }
        return new long[] {resets, checksum == 0 ? 1 : checksum};
    }
}
