package dev.gymrpc.server.cli;

import dev.gymrpc.proto.v1.EvaluateRequest;
import dev.gymrpc.proto.v1.EvaluateResponse;
import dev.gymrpc.proto.v1.EvaluationSummary;
import dev.gymrpc.proto.v1.GetJobRequest;
import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.ListModelsRequest;
import dev.gymrpc.proto.v1.ModelInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gymrpc evaluate}: runs a stored model for some episodes and prints per-episode results. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a stored model: per-episode returns and lengths, mean, std and success rate.",
                "Without --model, lists the stored models.",
                "Example: gymrpc evaluate --model model-5f3a9c21 --episodes 20 --seed 1"})
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "ID", description = "Model id (or the id of the job that trained it).")
    String model;

    @Option(names = "--env", paramLabel = "ID", description = "Environment id (default: the one the model was trained on, "
            + "with its options).")
    String env;

    @Option(names = "--env-option", paramLabel = "NAME=VALUE", description = "Environment option (repeatable).")
    Map<String, String> envOptions = new LinkedHashMap<>();

    @Option(names = "--episodes", defaultValue = "10", description = "Episodes (default: ${DEFAULT-VALUE}).")
    int episodes;

    @Option(names = "--seed", defaultValue = "0", description = "Episode i resets with seed + i (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stochastic", description = "Sample actions from the policy instead of taking the argmax.")
    boolean stochastic;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        return CliErrors.run(this::evaluate);
    }

    private int evaluate() throws Exception {
        try (AgentConnection conn = connection.open(1)) {
            if (model == null) {
                System.out.printf("%-16s %-14s %-22s %10s %10s  %s%n", "model", "algorithm", "env", "steps", "eval mean", "label");
                for (ModelInfo m : conn.blocking().listModels(ListModelsRequest.getDefaultInstance()).getModelsList()) {
                    System.out.printf("%-16s %-14s %-22s %10d %10.2f  %s%n", m.getModelId(),
                            algorithmName(m), m.getEnvId(), m.getGlobalStep(),
                            m.hasFinalEvaluation() ? m.getFinalEvaluation().getMeanReturn() : Double.NaN, m.getLabel());
                }
                return 0;
            }
            String modelId = model;
            if (model.startsWith("job-")) {
                Job j = conn.blocking().getJob(GetJobRequest.newBuilder().setJobId(model).build());
                if (j.getModelId().isEmpty()) {
                    throw new IllegalArgumentException("job " + model + " has no model (state "
                            + j.getState().name().replace("JOB_STATE_", "") + ")");
                }
                modelId = j.getModelId();
            }
            EvaluateRequest.Builder req = EvaluateRequest.newBuilder().setModelId(modelId).setEpisodes(episodes)
                    .setSeed(seed).setDeterministic(!stochastic);
            if (env != null) {
                req.setEnvId(env);
            }
            envOptions.forEach((k, v) -> req.putEnvOptions(k, ConfigOverrides.envValue(v)));
            long t0 = System.nanoTime();
            EvaluateResponse r = conn.blocking().evaluate(req.build());
            EvaluationSummary s = r.getSummary();
            System.out.printf("%-8s %12s %8s %12s%n", "episode", "return", "length", "discounted");
            for (int i = 0; i < s.getReturnsCount(); i++) {
                System.out.printf("%-8d %12.3f %8d %12s%n", i, s.getReturns(i), s.getLengths(i),
                        i < s.getDiscountedReturnsCount() ? String.format("%.3f", s.getDiscountedReturns(i)) : "");
            }
            System.out.printf("mean return %.3f +- %.3f (std), mean length %.1f, success rate %.2f, %d episodes in %.1f s%n",
                    s.getMeanReturn(), s.getStdReturn(), s.getMeanLength(), s.getSuccessRate(), s.getReturnsCount(),
                    (System.nanoTime() - t0) / 1e9);
            return 0;
        }
    }

    /** The model's algorithm name (models stored before names existed carry only the old enum). */
    static String algorithmName(ModelInfo m) {
        if (!m.getAlgorithmName().isEmpty()) {
            return m.getAlgorithmName();
        }
        @SuppressWarnings("deprecation")
        String legacy = m.getAlgorithm().name().replace("ALGORITHM_", "").toLowerCase(java.util.Locale.ROOT);
        return legacy;
    }
}
