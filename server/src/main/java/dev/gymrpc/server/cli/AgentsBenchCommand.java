package dev.gymrpc.server.cli;

import dev.gymrpc.proto.v1.Augmentations;
import dev.gymrpc.proto.v1.BenchmarkRow;
import dev.gymrpc.proto.v1.BenchmarkScore;
import dev.gymrpc.proto.v1.BenchmarkTable;
import dev.gymrpc.proto.v1.BenchmarkVariant;
import dev.gymrpc.proto.v1.EvaluationSchedule;
import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.RunBenchmarkRequest;
import dev.gymrpc.proto.v1.TrainingSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gymrpc bench agents}: a variants x seeds benchmark (RunBenchmark), locally or on a server, with
 * a progress line, then the table of mean and 95% confidence interval per variant.
 */
@Command(name = "agents", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train every variant with every seed and print, per variant, the mean score across seeds with "
                + "its 95%% confidence interval (Student t). The runs' curves stay in the store for `gymrpc plot "
                + "--benchmark`.",
                "A variant is an algorithm with '+'-joined augmentations: grokfast, grade, clip<NORM>, wd<DECAY>; e.g. "
                        + "sac, sac+grokfast, ppo+grade, sac+clip1.0.",
                "Example (the paper's FourRooms comparison, 1000 episodes x 5 seeds):",
                "  gymrpc bench agents --env FourRooms-v0 --variants sac,sac+grokfast --seeds 5 --episodes 1000 "
                        + "--score mean"})
final class AgentsBenchCommand implements Callable<Integer> {

    @Option(names = "--env", defaultValue = "FourRooms-v0", description = "Environment id (default: ${DEFAULT-VALUE}).")
    String env;

    @Option(names = "--variants", defaultValue = "sac,sac+grokfast", split = ",",
            description = "Comma-separated variants (default: ${DEFAULT-VALUE}).")
    List<String> variants;

    @Option(names = "--seeds", defaultValue = "5", paramLabel = "N", description = "Seeds 0..N-1 (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--seed-list", split = ",", paramLabel = "S,...", description = "Explicit seeds (overrides --seeds).")
    List<Long> seedList;

    static final class Budget {
        @Option(names = "--steps", paramLabel = "N", description = "Environment steps per run.")
        Long steps;

        @Option(names = "--episodes", paramLabel = "N", description = "Episodes per run.")
        Integer episodes;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Budget budget;

    @Option(names = "--preset", paramLabel = "NAME", description = "Hyperparameter preset for every variant (default: "
            + "the paper's for the env).")
    String preset;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Config field for every variant (repeatable), "
            + "e.g. hidden_sizes=64.")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--env-option", paramLabel = "NAME=VALUE", description = "Environment option (repeatable).")
    Map<String, String> envOptions = new LinkedHashMap<>();

    @Option(names = "--score", defaultValue = "final", paramLabel = "final|last|mean",
            description = "Run score: final = final evaluation's mean return; last = mean training return of the last "
                    + "--last-episodes episodes; mean = mean training return over all episodes (area under the curve) "
                    + "(default: ${DEFAULT-VALUE}).")
    String score;

    @Option(names = "--last-episodes", defaultValue = "100", description = "Episodes for --score last (default: ${DEFAULT-VALUE}).")
    int lastEpisodes;

    @Option(names = "--final-eval-episodes", defaultValue = "10", description = "Final evaluation episodes per run "
            + "(default: ${DEFAULT-VALUE}).")
    int finalEvalEpisodes;

    @Option(names = {"-q", "--quiet"}, description = "No progress line.")
    boolean quiet;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        return CliErrors.run(this::bench);
    }

    /** The variant's spec from its name: {@code algo[+aug...]}. */
    TrainingSpec variantSpec(String name) {
        String[] parts = name.trim().toLowerCase(Locale.ROOT).split("\\+");
        TrainingSpec.Builder s = TrainingSpec.newBuilder().setAlgorithmName(parts[0]).setEnvId(env);
        if (preset != null) {
            s.setPreset(preset);
        }
        if (budget.steps != null) {
            s.setTotalSteps(budget.steps);
        } else {
            s.setTotalEpisodes(budget.episodes);
        }
        Augmentations.Builder aug = Augmentations.newBuilder();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            try {
                if (p.equals("grokfast")) {
                    aug.setGrokfast(true);
                } else if (p.equals("grade")) {
                    aug.setGrade(true);
                } else if (p.startsWith("clip")) {
                    aug.setGradClip(Double.parseDouble(p.substring(4)));
                } else if (p.startsWith("wd")) {
                    aug.setWeightDecay(Double.parseDouble(p.substring(2)));
                } else {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("variant '" + name + "': unknown part '" + p
                        + "'; use grokfast, grade, clip<NORM> or wd<DECAY>");
            }
        }
        s.setAugmentations(aug);
        ConfigOverrides.apply(s, set);
        envOptions.forEach((k, v) -> s.putEnvOptions(k, ConfigOverrides.envValue(v)));
        s.setEvaluation(EvaluationSchedule.newBuilder().setFinalEpisodes(finalEvalEpisodes));
        return s.build();
    }

    RunBenchmarkRequest request() {
        RunBenchmarkRequest.Builder r = RunBenchmarkRequest.newBuilder();
        for (String v : variants) {
            r.addVariants(BenchmarkVariant.newBuilder().setName(v.trim()).setSpec(variantSpec(v)));
        }
        List<Long> ss = seedList != null && !seedList.isEmpty() ? seedList : new ArrayList<>();
        if (ss.isEmpty()) {
            if (seeds < 1) {
                throw new IllegalArgumentException("--seeds must be >= 1, got " + seeds);
            }
            for (long i = 0; i < seeds; i++) {
                ss.add(i);
            }
        }
        r.addAllSeeds(ss);
        r.setScore(switch (score.toLowerCase(Locale.ROOT)) {
            case "final" -> BenchmarkScore.BENCHMARK_SCORE_FINAL_EVAL_MEAN;
            case "last" -> BenchmarkScore.BENCHMARK_SCORE_LAST_EPISODES_MEAN;
            case "mean" -> BenchmarkScore.BENCHMARK_SCORE_MEAN_EPISODE_RETURN;
            default -> throw new IllegalArgumentException("--score must be final, last or mean, got " + score);
        });
        r.setLastEpisodes(lastEpisodes);
        return r.build();
    }

    private int bench() throws Exception {
        RunBenchmarkRequest req = request();
        try (AgentConnection conn = connection.open(1)) {
            Job job = conn.blocking().runBenchmark(req);
            System.err.println("benchmark " + job.getJobId() + " (" + req.getVariantsCount() + " variants x "
                    + req.getSeedsCount() + " seeds) on " + conn.where());
            Job end = new JobFollower(conn.blocking(), System.err, quiet).follow(job.getJobId(), job.getEventCount());
            if (end.getBenchmarkResult().getRowsCount() > 0) { // none if it was cancelled before it started
                System.out.print(table(end.getBenchmarkResult(), env));
            }
            if (!JobFollower.ok(end)) {
                System.out.println("benchmark " + end.getState().name().replace("JOB_STATE_", "") + ": " + end.getReason());
                return 1;
            }
            System.out.println("curves: gymrpc plot --benchmark " + end.getJobId()
                    + (conn.isLocal() ? " --store " + connection.store : "") + " --out " + end.getJobId() + ".png");
            return 0;
        }
    }

    /** The table as aligned text. */
    static String table(BenchmarkTable t, String env) {
        StringBuilder b = new StringBuilder();
        String scoreName = switch (t.getScore()) {
            case BENCHMARK_SCORE_LAST_EPISODES_MEAN -> "mean return of the last episodes";
            case BENCHMARK_SCORE_MEAN_EPISODE_RETURN -> "mean return over all episodes";
            default -> "final evaluation mean return";
        };
        b.append(String.format("%s, score: %s%n", env, scoreName));
        b.append(String.format("%-24s %3s %10s %9s %23s %8s %9s%n", "variant", "n", "mean", "std", "95% CI", "success",
                "s/run"));
        for (BenchmarkRow r : t.getRowsList()) {
            b.append(String.format("%-24s %3d %10.3f %9.3f %23s %8.2f %9.1f%n", r.getVariant(), r.getN(), r.getMean(),
                    r.getStd(), String.format("[%.3f, %.3f]", r.getCi95Low(), r.getCi95High()), r.getSuccessRate(),
                    r.getSecondsPerRun()));
        }
        return b.toString();
    }
}
