package dev.gymrpc.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link EnvStepBenchmark} with JMH and prints steps/s per env next to the named references:
 * Gymnasium 1.3's own Python LunarLander-v3 (about 20,000 steps/s with random actions on one core of
 * this machine, of which the C++ Box2D world step is about 12 us) and this project's targets
 * (LunarLander >= 60,000 steps/s on one thread; FourRooms >= 5,000,000).
 */
public final class EnvBench {

    /**
     * Gymnasium's Python LunarLander-v3, random actions, one core (steps/s): the figure named when the
     * targets were set. Measure it on the machine at hand with {@code bench/gymnasium_speed.py} and
     * pass it as {@code -Dgymrpc.bench.gymnasiumStepsPerS=...} (issue 11's target: one thread >= 2.5x).
     */
    public static final double GYMNASIUM_LUNAR_LANDER_STEPS_PER_S =
            Double.parseDouble(System.getProperty("gymrpc.bench.gymnasiumStepsPerS", "20000"));

    private static final Map<String, Double> TARGETS = new LinkedHashMap<>();

    static {
        TARGETS.put("FourRooms-v0", 5_000_000.0);
        TARGETS.put("LunarLander-v3", 60_000.0);
        TARGETS.put("LunarLanderContinuous-v3", 60_000.0);
    }

    private EnvBench() {
    }

    /** {@code quick} uses short iterations (a smoke run); otherwise 3 warm-up and 5 measured seconds. */
    public static Collection<RunResult> run(boolean quick) throws RunnerException {
        return run(quick, null);
    }

    /**
     * As {@link #run(boolean)}, restricted to the benchmark methods whose name matches {@code methods} (a
     * regular expression such as {@code "step|vectorScaling"}; null runs all).
     */
    public static Collection<RunResult> run(boolean quick, String methods) throws RunnerException {
        String include = EnvStepBenchmark.class.getName() + "." + (methods == null ? ".*" : "(" + methods + ")") + "$";
        Options opt = new OptionsBuilder()
                .include(include)
                .forks(1)
                .warmupIterations(quick ? 1 : 3)
                .warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 5)
                .measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .jvmArgsAppend("-Djava.awt.headless=true")
                .build();
        return new Runner(opt).run();
    }

    /** Prints the summary table for JMH results. */
    public static void printSummary(Collection<RunResult> results) {
        System.out.println();
        System.out.println("env steps/s (higher is better)");
        System.out.printf(Locale.ROOT, "%-44s %14s %12s %12s%n", "benchmark", "steps/s", "vs Gymnasium", "vs target");
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            String env = r.getParams().getParam("envId");
            String threads = r.getParams().getParam("threads");
            double score = r.getPrimaryResult().getScore();
            String numEnvs = r.getParams().getParam("numEnvs");
            String label = name + " " + env + (numEnvs != null ? " N=" + numEnvs : "")
                    + (threads != null ? " threads=" + threads : "");
            String vsGym = env != null && env.startsWith("LunarLander")
                    ? String.format(Locale.ROOT, "%.1fx", score / GYMNASIUM_LUNAR_LANDER_STEPS_PER_S) : "-";
            Double target = name.equals("step") ? TARGETS.get(env) : null;
            String vsTarget = target == null ? "-" : String.format(Locale.ROOT, "%.2fx", score / target);
            System.out.printf(Locale.ROOT, "%-44s %14.0f %12s %12s%n", label, score, vsGym, vsTarget);
        }
        printScaling(results);
        System.out.println("references: Gymnasium 1.3 Python LunarLander-v3 = "
                + (int) GYMNASIUM_LUNAR_LANDER_STEPS_PER_S + " steps/s (one core); targets: "
                + "LunarLander 60,000/s single thread, FourRooms 5,000,000/s");
    }

    /**
     * The per-env-step cost of {@code vectorScaling} at N=64 against N=1 (one thread, same run) and its
     * ratio; the target is within 1.2x (issue 11).
     */
    static void printScaling(Collection<RunResult> results) {
        Map<Integer, Double> usPerStep = new LinkedHashMap<>();
        for (RunResult r : results) {
            if (r.getParams().getBenchmark().endsWith(".vectorScaling")) {
                int n = Integer.parseInt(r.getParams().getParam("numEnvs"));
                usPerStep.put(n, 1e6 / r.getPrimaryResult().getScore());
            }
        }
        Double one = usPerStep.get(1);
        Double many = usPerStep.get(EnvStepBenchmark.VECTOR_N);
        if (one != null && many != null) {
            System.out.printf(Locale.ROOT, "vector env per-env-step cost, one thread: N=%d %.2f us, N=1 %.2f us, "
                    + "ratio %.2fx (target <= 1.2x)%n", EnvStepBenchmark.VECTOR_N, many, one, many / one);
        }
    }

    /** Arguments: {@code [--quick] [methods regex]}, e.g. {@code --quick "step|vectorScaling"}. */
    public static void main(String[] args) throws RunnerException {
        boolean quick = args.length > 0 && args[0].equals("--quick");
        String methods = args.length > (quick ? 1 : 0) ? args[quick ? 1 : 0] : null;
        printSummary(run(quick, methods));
    }
}
