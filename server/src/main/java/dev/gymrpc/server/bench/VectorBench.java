package dev.gymrpc.server.bench;

import dev.gymrpc.envs.AutoresetMode;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.Space;
import dev.gymrpc.envs.VectorEnv;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Env-steps/s of the in-process {@link VectorEnv} a server steps for each VectorStep (NEXT_STEP autoreset,
 * uniformly random actions), with no RPC: the bound a remote vector env can reach at the same sub-envs and
 * worker threads. Timed over wall-clock seconds after an untimed warm-up (JIT); printed, never asserted.
 */
public final class VectorBench {

    /** One measurement; {@code loadAverage} is the 1-minute load average at the end. */
    public record Result(String envId, int numEnvs, int threads, long batches, double seconds, double loadAverage) {
        public double envStepsPerSecond() {
            return numEnvs * batches / seconds;
        }

        public String toJson() {
            return String.format(Locale.ROOT, "{\"env_id\": \"%s\", \"num_envs\": %d, \"threads\": %d, \"batches\": %d, "
                    + "\"seconds\": %.4f, \"env_steps_per_s\": %.1f, \"load_average\": %.2f, \"cores\": %d}", envId,
                    numEnvs, threads, batches, seconds, envStepsPerSecond(), loadAverage,
                    Runtime.getRuntime().availableProcessors());
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "in-process VectorEnv %s N=%d threads=%d: %.0f env-steps/s (%d batches in "
                    + "%.2f s; load average %.2f on %d cores)", envId, numEnvs, threads, envStepsPerSecond(), batches,
                    seconds, loadAverage, Runtime.getRuntime().availableProcessors());
        }
    }

    private VectorBench() {
    }

    public static Result run(String envId, int numEnvs, int threads, double warmupSeconds, double seconds) {
        @SuppressWarnings("unchecked")
        VectorEnv<Object> env = (VectorEnv<Object>) VectorEnv.make(EnvRegistry.standard(), envId, numEnvs, Map.of(),
                AutoresetMode.NEXT_STEP, threads);
        try (env) {
            SplittableRandom rng = new SplittableRandom(0);
            env.reset(0L);
            stepFor(env, rng, warmupSeconds);
            long t0 = System.nanoTime();
            long batches = stepFor(env, rng, seconds);
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Result(envId, numEnvs, threads, batches, secs,
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static long stepFor(VectorEnv<Object> env, SplittableRandom rng, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long batches = 0;
        Space<?> space = env.singleActionSpace();
        do {
            List<Object> actions = new ArrayList<>(env.numEnvs());
            for (int i = 0; i < env.numEnvs(); i++) {
                actions.add(space.sample(rng));
            }
            env.step(actions);
            batches++;
        } while (System.nanoTime() < end);
        return batches;
    }
}
