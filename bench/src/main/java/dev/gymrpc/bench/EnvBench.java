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
 * Runs {@link EnvStepBenchmark} with JMH and prints steps/s per env. The LunarLander rows get their ratio
 * to Gymnasium's own Python LunarLander-v3 (random actions, one thread) when that reference was measured
 * in the same run ({@link GymnasiumReference}); machines differ by 2x or more, so no fixed figure stands
 * in for it. Issue 11's goal: one thread >= 2.5x Gymnasium.
 */
public final class EnvBench {

    /** Issue 11's goal for LunarLander on one thread against Gymnasium's in-process env. */
    static final double GOAL_VS_GYMNASIUM = 2.5;

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

    /**
     * Prints the summary table for JMH results, with the ratio to {@code gymnasium} (Gymnasium's
     * LunarLander-v3 steps/s measured in this run; NaN = not measured) for the LunarLander rows.
     */
    public static void printSummary(Collection<RunResult> results, double gymnasium) {
        System.out.println();
        System.out.println("env steps/s (higher is better)");
        System.out.printf(Locale.ROOT, "%-44s %14s %12s%n", "benchmark", "steps/s", "vs Gymnasium");
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            String env = r.getParams().getParam("envId");
            String threads = r.getParams().getParam("threads");
            double score = r.getPrimaryResult().getScore();
            String numEnvs = r.getParams().getParam("numEnvs");
            String label = name + " " + env + (numEnvs != null ? " N=" + numEnvs : "")
                    + (threads != null ? " threads=" + threads : "");
            String vsGym = "LunarLander-v3".equals(env) && Double.isFinite(gymnasium)
                    ? String.format(Locale.ROOT, "%.2fx", score / gymnasium) : "-";
            System.out.printf(Locale.ROOT, "%-44s %14.0f %12s%n", label, score, vsGym);
        }
        printScaling(results);
        if (Double.isFinite(gymnasium)) {
            System.out.printf(Locale.ROOT, "reference: Gymnasium's LunarLander-v3 in-process, random actions, one thread, "
                    + "measured in this run: %.0f steps/s; goal for LunarLander one thread: >= %.1fx%n", gymnasium,
                    GOAL_VS_GYMNASIUM);
        } else {
            System.out.println("reference: Gymnasium not measured (no Python with gymnasium and Box2D found; pass "
                    + "--gymnasium PYTHON), so no ratio is printed");
        }
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
        printSummary(run(quick, methods), Double.NaN);
    }
}
