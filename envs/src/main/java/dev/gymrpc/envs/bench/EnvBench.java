package dev.gymrpc.envs.bench;

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

    /** Gymnasium's Python LunarLander-v3, random actions, one core, measured on this machine (steps/s). */
    public static final double GYMNASIUM_LUNAR_LANDER_STEPS_PER_S = 20_000;

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
        Options opt = new OptionsBuilder()
                .include(EnvStepBenchmark.class.getName())
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
            String label = name + " " + env + (threads != null ? " threads=" + threads : "");
            String vsGym = env != null && env.startsWith("LunarLander")
                    ? String.format(Locale.ROOT, "%.1fx", score / GYMNASIUM_LUNAR_LANDER_STEPS_PER_S) : "-";
            Double target = name.equals("step") ? TARGETS.get(env) : null;
            String vsTarget = target == null ? "-" : String.format(Locale.ROOT, "%.2fx", score / target);
            System.out.printf(Locale.ROOT, "%-44s %14.0f %12s %12s%n", label, score, vsGym, vsTarget);
        }
        System.out.println("references: Gymnasium 1.3 Python LunarLander-v3 = "
                + (int) GYMNASIUM_LUNAR_LANDER_STEPS_PER_S + " steps/s (one core); targets: "
                + "LunarLander 60,000/s single thread, FourRooms 5,000,000/s");
    }

    public static void main(String[] args) throws RunnerException {
        boolean quick = args.length > 0 && args[0].equals("--quick");
        printSummary(run(quick));
    }
}
