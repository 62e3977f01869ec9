package dev.gymrpc.server.agent;

import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Algorithm;
import dev.gymrpc.agents.Budget;
import dev.gymrpc.agents.CheckpointOptions;
import dev.gymrpc.agents.EvalResult;
import dev.gymrpc.agents.EvalSchedule;
import dev.gymrpc.agents.Evaluator;
import dev.gymrpc.agents.Policy;
import dev.gymrpc.agents.RunContext;
import dev.gymrpc.agents.TrainRequest;
import dev.gymrpc.agents.Trainer;
import dev.gymrpc.agents.TrainingListener;
import dev.gymrpc.agents.io.ModelIO;
import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.EnvSpec;
import dev.gymrpc.envs.Space;
import dev.gymrpc.proto.v1.EvaluationSchedule;
import dev.gymrpc.proto.v1.EvaluationSummary;
import dev.gymrpc.proto.v1.ModelFormat;
import dev.gymrpc.proto.v1.TrainingSpec;
import dev.gymrpc.proto.wire.Values;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The production {@link AgentBackend}: every {@link Algorithm} of the agents module through the generic
 * {@link Trainer}. It resolves the wire's {@link TrainingSpec} with {@link SpecResolver}, forwards the
 * agents' {@link TrainingListener} callbacks to the job, runs the final evaluation with the agents'
 * {@link Evaluator}, and hands over the agents' checkpoints and model files. Every env it trains and
 * evaluates on comes from the registry it was given.
 *
 * <p>Checkpoints: the agents write the full run state (networks, optimizers, temperature, Grokfast/GrAdE
 * state, counters, generator states, and replay buffers up to
 * {@link CheckpointOptions#DEFAULT_MAX_REPLAY} transitions) every N updates and when a run ends or is
 * cancelled; {@link CheckpointAdopter} moves each file into the job's checkpoint directory under the step
 * it was taken at, and ResumeJob continues from it with {@link Trainer#resume} (same config, seed and
 * schedule, counters continuing; the interrupted episode restarts).
 *
 * <p>Model file ({@code model.bin} in the store, the bytes GetModel sends by default): the agents'
 * own format ({@link ModelIO}), so a downloaded model loads with {@code Policy.load} anywhere.
 */
public final class AgentsModuleBackend implements AgentBackend {

    /** Model format tag recorded in provenance (the agents module's ModelIO format version). */
    public static final String MODEL_FORMAT = "gymrpc-agents-model-" + ModelIO.FORMAT;

    private final EnvRegistry registry;

    public AgentsModuleBackend(EnvRegistry registry) {
        this.registry = registry;
    }

    /** The backend over the standard env registry. */
    public static AgentsModuleBackend standard() {
        return new AgentsModuleBackend(EnvRegistry.standard());
    }

    @Override
    public TrainingSpec resolve(TrainingSpec spec) {
        return SpecResolver.resolve(spec, registry);
    }

    @Override
    public TrainingOutcome train(TrainingSpec spec, TrainingRun run) throws IOException {
        Algorithm algo = SpecResolver.algorithm(spec);
        AlgoConfig config = SpecResolver.toConfig(spec);
        Map<String, Object> options = Values.fromValueMap(spec.getEnvOptionsMap());
        EvaluationSchedule ev = spec.getEvaluation();
        EvalSchedule schedule = new EvalSchedule(ev.getEveryEpisodes(), ev.getEverySteps(), ev.getEpisodes(),
                ev.getDeterministic(), ev.hasStopAtMeanReturn() ? ev.getStopAtMeanReturn() : Double.NaN);
        Budget budget = spec.hasTotalSteps() ? Budget.steps(spec.getTotalSteps()) : Budget.episodes(spec.getTotalEpisodes());
        TrainRequest request = new TrainRequest(config, spec.getEnvId(), options, spec.getSeed(), budget, schedule,
                spec.hasAbortGradNorm() ? spec.getAbortGradNorm() : TrainRequest.DEFAULT_ABORT_GRAD_NORM,
                SpecResolver.gradDiagnostics(spec));
        EnvSpec envSpec = registry.spec(spec.getEnvId());
        Box obsSpace;
        Space<?> actSpace;
        try (Env<?> env = registry.make(spec.getEnvId(), options)) {
            obsSpace = env.observationSpace();
            actSpace = env.actionSpace();
        }
        int maxSteps = envSpec.maxEpisodeSteps();
        double threshold = envSpec.rewardThreshold();
        Path scratch = run.scratchCheckpointFile();
        long everyUpdates = spec.getCheckpointEverySteps() <= 0 ? 0
                : Math.max(1, Math.round(spec.getCheckpointEverySteps() * algo.updatesPerEnvStep(config, maxSteps)));
        CheckpointOptions ckpt = new CheckpointOptions(scratch, everyUpdates, CheckpointOptions.DEFAULT_MAX_REPLAY);
        CheckpointAdopter adopter = new CheckpointAdopter(run, scratch, everyUpdates);
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onEpisode(dev.gymrpc.agents.EpisodeStats e) {
                adopter.episodes = e.episode();
                adopter.poll();
                run.onEpisode(e.envSteps(), e.episode() - 1, e.ret(), e.length(), e.discounted(), e.terminated());
            }

            @Override
            public void onUpdate(long envSteps, long update, Map<String, Double> metrics) {
                adopter.poll();
                run.onUpdate(envSteps, update, metrics);
                adopter.expect(envSteps, update);
            }

            @Override
            public void onEvaluation(long envSteps, long episodes, EvalResult r) {
                adopter.poll();
                run.onEvaluation(envSteps, episodes, summary(r, threshold));
            }
        };
        Trainer.TrainResult result;
        if (run.resumeFrom().isPresent()) {
            result = Trainer.resume(registry, run.resumeFrom().get().file(), budget, listener, run::stopRequested, ckpt);
        } else {
            result = Trainer.train(registry, request, listener, run::stopRequested, ckpt);
        }
        // The agents write a last checkpoint when the run ends (budget or cancellation): the resume point.
        adopter.finish(result.envSteps(), result.episodes());
        if (result.cancelled()) {
            return new TrainingOutcome(result.envSteps(), result.episodes(), true, null, null, obsSpace, actSpace);
        }
        Policy policy = result.policy();
        EvaluationSummary finalEval = null;
        if (ev.getFinalEpisodes() > 0) {
            finalEval = summary(Evaluator.evaluate(policy, registry, spec.getEnvId(), options, ev.getFinalEpisodes(),
                    spec.getSeed() + 1_000_003L, ev.getDeterministic(), run::stopRequested), threshold);
        }
        byte[] model = modelBytes(policy);
        return new TrainingOutcome(result.envSteps(), result.episodes(), false, finalEval, out -> out.write(model),
                obsSpace, actSpace, result.stoppedEarly());
    }

    private static byte[] modelBytes(Policy policy) throws IOException {
        Path tmp = Files.createTempFile("gymrpc-model-", ".zip");
        try {
            ModelIO.save(policy, tmp);
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Moves the checkpoints the agents module writes into the job's checkpoint directory. The agents save
     * right after the listener's {@code onUpdate} of every {@code everyUpdates}-th update, so that call
     * tells the step the checkpoint belongs to, and the next callback (or the end of the run) finds the
     * file complete and adopts it.
     */
    private static final class CheckpointAdopter {
        private final TrainingRun run;
        private final Path scratch;
        private final long everyUpdates;
        private long pendingStep = -1;
        long episodes;

        CheckpointAdopter(TrainingRun run, Path scratch, long everyUpdates) {
            this.run = run;
            this.scratch = scratch;
            this.everyUpdates = everyUpdates;
        }

        void expect(long envSteps, long update) {
            if (everyUpdates > 0 && update % everyUpdates == 0) {
                pendingStep = envSteps;
            }
        }

        void poll() {
            if (pendingStep >= 0 && Files.exists(scratch)) {
                run.adoptCheckpoint(pendingStep, episodes, scratch);
                pendingStep = -1;
            }
        }

        void finish(long envSteps, long eps) {
            episodes = eps;
            if (Files.exists(scratch)) {
                run.adoptCheckpoint(envSteps, eps, scratch);
            }
        }
    }

    /**
     * An evaluation as the wire summary: mean, population std, mean length and the success rate (return
     * at least the env's reward threshold where it has one, else terminated before the time limit).
     */
    public static EvaluationSummary summary(EvalResult r, double rewardThreshold) {
        EvaluationSummary.Builder b = EvaluationSummary.newBuilder();
        for (int i = 0; i < r.episodes(); i++) {
            b.addReturns(r.returns()[i]).addLengths(r.lengths()[i]).addDiscountedReturns(r.discountedReturns()[i]);
        }
        return b.setMeanReturn(r.mean()).setStdReturn(r.std()).setMeanLength(r.meanLength())
                .setSuccessRate(r.successRate(rewardThreshold)).build();
    }

    @Override
    public Policy loadPolicy(Path modelFile) throws IOException {
        return ModelIO.load(modelFile);
    }

    @Override
    public void export(Path modelFile, ModelFormat format, OutputStream out) throws IOException {
        switch (format) {
            case MODEL_FORMAT_UNSPECIFIED, MODEL_FORMAT_GYMRPC -> Files.copy(modelFile, out);
            case MODEL_FORMAT_DL4J -> dev.gymrpc.agents.export.Dl4jExport.write(ModelIO.load(modelFile), out);
            default -> throw new UnsupportedOperationException("model format " + format + " is not supported by this server");
        }
    }

    @Override
    public Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>(new java.util.TreeMap<>(RunContext.versions()));
        v.put("gymrpc-server", "0.1.0-SNAPSHOT");
        v.put("model-format", MODEL_FORMAT);
        return v;
    }
}
