package dev.gymrpc.bench;

import dev.gymrpc.envs.AutoresetMode;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.VectorEnv;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The per-env-step cost of LunarLander vector envs of 1 and 64 on one thread, by this thread's CPU time
 * rather than wall time: on a machine shared with other busy processes the JMH (wall-clock) figures mostly
 * measure time slicing. Rounds alternate N=1 and N=64 in one JVM, so both see the same load; the median
 * round is reported with the ratio. Same loop as {@code EnvStepBenchmark.vectorScaling} (random actions,
 * NEXT_STEP autoreset). A single LunarLander stepped through a vector env of one is comparable to
 * {@code bench/gymnasium_speed.py}'s thread-CPU figure for Gymnasium's in-process env.
 */
public final class CpuTimeBench {

    private CpuTimeBench() {
    }

    /** Median CPU microseconds per env step for each N, over {@code rounds} alternating rounds. */
    public static double[] run(int[] sizes, int stepsPerRound, int rounds) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        List<VectorEnv<Integer>> vecs = new ArrayList<>();
        List<List<Integer>> actions = new ArrayList<>();
        for (int n : sizes) {
            @SuppressWarnings("unchecked")
            VectorEnv<Integer> v = (VectorEnv<Integer>) VectorEnv.make(EnvRegistry.standard(), "LunarLander-v3", n,
                    Map.of(), AutoresetMode.NEXT_STEP, 1);
            v.reset(0L);
            vecs.add(v);
            List<Integer> a = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                a.add(0);
            }
            actions.add(a);
        }
        SplittableRandom rng = new SplittableRandom(0);
        double[][] us = new double[sizes.length][rounds];
        for (int r = -1; r < rounds; r++) { // round -1 warms up
            for (int k = 0; k < sizes.length; k++) {
                int n = sizes[k];
                int batches = Math.max(1, stepsPerRound / n);
                long c0 = mx.getCurrentThreadCpuTime();
                for (int b = 0; b < batches; b++) {
                    for (int i = 0; i < n; i++) {
                        actions.get(k).set(i, rng.nextInt(4));
                    }
                    vecs.get(k).step(actions.get(k));
                }
                long c1 = mx.getCurrentThreadCpuTime();
                if (r >= 0) {
                    us[k][r] = (c1 - c0) / 1e3 / ((double) batches * n);
                }
            }
        }
        vecs.forEach(VectorEnv::close);
        double[] median = new double[sizes.length];
        for (int k = 0; k < sizes.length; k++) {
            Arrays.sort(us[k]);
            median[k] = us[k][rounds / 2];
        }
        return median;
    }

    /** Prints the N=1 and N=64 per-env-step CPU cost and their ratio. */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 64_000;
        double[] us = run(new int[] {1, EnvStepBenchmark.VECTOR_N}, steps, rounds);
        System.out.printf(Locale.ROOT, "LunarLander-v3 vector env, one thread, thread CPU time (median of %d rounds of "
                + "%,d env-steps): N=1 %.2f us/step (%,.0f steps/s), N=%d %.2f us/step, ratio %.2fx (target <= 1.2x)%n",
                rounds, steps, us[0], 1e6 / us[0], EnvStepBenchmark.VECTOR_N, us[1], us[1] / us[0]);
    }
}
