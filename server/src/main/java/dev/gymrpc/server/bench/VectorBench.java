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
 * worker threads. Timed over wall-clock seconds; one instance can measure repeatedly on a warm JVM (the
 * server it is compared with is warm too). Printed, never asserted.
 */
public final class VectorBench implements AutoCloseable {

    /** One measurement; {@code loadAverage} is the 1-minute load average at its end. */
    public record Result(String envId, int numEnvs, int threads, long batches, double seconds, double cpuSeconds,
                         double loadAverage) {
        public double envStepsPerSecond() {
            return numEnvs * batches / seconds;
        }

        public String toJson() {
            return String.format(Locale.ROOT, "{\"env_id\": \"%s\", \"num_envs\": %d, \"threads\": %d, \"batches\": %d, "
                    + "\"seconds\": %.4f, \"env_steps_per_s\": %.1f, \"cpu_us_per_batch\": %.1f, "
                    + "\"load_average\": %.2f, \"cores\": %d}", envId,
                    numEnvs, threads, batches, seconds, envStepsPerSecond(), cpuSeconds * 1e6 / batches, loadAverage,
                    Runtime.getRuntime().availableProcessors());
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "in-process VectorEnv %s N=%d threads=%d: %.0f env-steps/s (%d batches in "
                    + "%.2f s; load average %.2f on %d cores)", envId, numEnvs, threads, envStepsPerSecond(), batches,
                    seconds, loadAverage, Runtime.getRuntime().availableProcessors());
        }
    }

    private final String envId;
    private final VectorEnv<Object> env;
    private final int threads;
    private final SplittableRandom rng = new SplittableRandom(0);

    @SuppressWarnings("unchecked")
    public VectorBench(String envId, int numEnvs, int threads) {
        this.envId = envId;
        this.threads = Math.min(threads, numEnvs); // as VectorEnv caps it
        this.env = (VectorEnv<Object>) VectorEnv.make(EnvRegistry.standard(), envId, numEnvs, Map.of(),
                AutoresetMode.NEXT_STEP, threads);
        env.reset(0L);
    }

    /** Steps for {@code seconds} of wall-clock time, untimed (a warm-up); returns the batches done. */
    public long stepFor(double seconds) {
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

    /** Steps for {@code seconds} and reports env-steps/s. */
    public Result measure(double seconds) {
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        long batches = stepFor(seconds);
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        return new Result(envId, env.numEnvs(), threads, batches, secs, cpu,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** CPU time of this whole JVM (stepping threads, JIT, GC), in nanoseconds. */
    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0L;
    }

    @Override
    public void close() {
        env.close();
    }
}
