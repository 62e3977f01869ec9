package dev.gymrpc.server.agent;

import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Budget;
import dev.gymrpc.agents.CheckpointOptions;
import dev.gymrpc.agents.EvalResult;
import dev.gymrpc.agents.EvalSchedule;
import dev.gymrpc.agents.RunContext;
import dev.gymrpc.agents.TrainRequest;
import dev.gymrpc.agents.Trainer;
import dev.gymrpc.agents.TrainingListener;
import dev.gymrpc.agents.io.ModelIO;
import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.sac.SacConfig;
import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.EnvSpec;
import dev.gymrpc.proto.v1.EvaluationSchedule;
import dev.gymrpc.proto.v1.EvaluationSummary;
import dev.gymrpc.proto.v1.TrainingSpec;
import dev.gymrpc.proto.wire.Values;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The production {@link AgentBackend}: the agents module's PPO-Clip and Discrete SAC ({@link Trainer}).
 * It maps the wire's {@link TrainingSpec} to the agents' config records ({@link ConfigMapping}),
 * forwards the agents' {@link TrainingListener} callbacks to the job, runs the final evaluation, and
 * hands over the agents' checkpoints and model files.
 *
 * <p>Checkpoints: the agents module writes the full run state (networks, optimizers, alpha,
 * Grokfast/GrAdE state, counters, generator states, and SAC's replay buffer up to
 * {@value #MAX_CHECKPOINTED_BUFFER} transitions) every N updates and when a run ends or is cancelled;
 * {@link CheckpointAdopter} moves each file into the job's checkpoint directory under the step it was
 * taken at, and ResumeJob continues from it with {@link Trainer#resume} (same config, seed and
 * schedule, counters continuing; the interrupted episode restarts).
 *
 * <p>Model file ({@code model.bin} in the store, the bytes GetModel sends): the agents module's own
 * format ({@link ModelIO}, a zip with {@code model.json}: algorithm, full config, env id and options,
 * seed, layer sizes, versions; and {@code actor.bin}: the actor's float32 parameters), so a downloaded
 * model loads with {@code ModelIO.load} anywhere.
 */
public final class AgentsModuleBackend implements AgentBackend {

    /** Model format tag recorded in provenance (the agents module's ModelIO format version). */
    public static final String MODEL_FORMAT = "gymrpc-agents-model-" + ModelIO.FORMAT;

    private final EnvRegistry registry;

    public AgentsModuleBackend(EnvRegistry registry) {
        this.registry = registry;
    }

    /** The backend over the standard env registry (the one the agents module trains on). */
    public static AgentsModuleBackend standard() {
        return new AgentsModuleBackend(EnvRegistry.standard());
    }

    @Override
    public TrainingSpec resolve(TrainingSpec spec) {
        return ConfigMapping.resolve(spec, registry);
    }

    @Override
    public TrainingOutcome train(TrainingSpec spec, TrainingRun run) throws IOException {
        AlgoConfig config = ConfigMapping.toConfig(spec);
        Map<String, Object> options = Values.fromValueMap(spec.getEnvOptionsMap());
        EvaluationSchedule ev = spec.getEvaluation();
        EvalSchedule schedule = new EvalSchedule(ev.getEveryEpisodes(), ev.getEverySteps(), ev.getEpisodes(),
                ev.getDeterministic());
        Budget budget = spec.hasTotalSteps() ? Budget.steps(spec.getTotalSteps()) : Budget.episodes(spec.getTotalEpisodes());
        TrainRequest request = new TrainRequest(config, spec.getEnvId(), options, spec.getSeed(), budget, schedule);
        EnvSpec envSpec = registry.spec(spec.getEnvId());
        Box obsSpace;
        Discrete actSpace;
        try (Env<?> env = registry.make(spec.getEnvId(), options)) {
            obsSpace = env.observationSpace();
            actSpace = (Discrete) env.actionSpace();
        }
        int maxSteps = envSpec.maxEpisodeSteps();
        double threshold = envSpec.rewardThreshold();
        Path scratch = run.scratchCheckpointFile();
        long everyUpdates = updatesPerCheckpoint(config, spec.getCheckpointEverySteps(), maxSteps);
        CheckpointOptions ckpt = new CheckpointOptions(scratch, everyUpdates,
                config instanceof SacConfig sac && sac.bufferSize() <= MAX_CHECKPOINTED_BUFFER);
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
                run.onEvaluation(envSteps, episodes, summary(r, threshold, maxSteps));
            }
        };
        Trainer.TrainResult result;
        try {
            if (run.resumeFrom().isPresent()) {
                result = Trainer.resume(run.resumeFrom().get().file(), budget, listener, run::stopRequested, ckpt);
            } else {
                result = Trainer.train(request, listener, run::stopRequested, ckpt);
            }
        } catch (dev.gymrpc.agents.TrainingDivergedException e) {
            throw new TrainingDivergedException(e.getMessage(), -1, e);
        }
        // The agents write a last checkpoint when the run ends (budget or cancellation): the resume point.
        adopter.finish(result.envSteps(), result.episodes());
        if (result.cancelled()) {
            return new TrainingOutcome(result.envSteps(), result.episodes(), true, null, null, obsSpace, actSpace);
        }
        dev.gymrpc.agents.Policy policy = result.policy();
        EvaluationSummary finalEval = null;
        if (ev.getFinalEpisodes() > 0) {
            finalEval = PolicyEvaluator.evaluate(new AgentsPolicy(policy, obsSpace, actSpace), registry,
                    spec.getEnvId(), options, ev.getFinalEpisodes(), spec.getSeed() + 1_000_003L,
                    ev.getDeterministic(), Specs.gamma(spec), run::stopRequested);
        }
        Path tmp = Files.createTempFile("gymrpc-model-", ".zip");
        byte[] model;
        try {
            ModelIO.save(policy, tmp);
            model = Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return new TrainingOutcome(result.envSteps(), result.episodes(), false, finalEval, out -> out.write(model),
                obsSpace, actSpace);
    }

    /** SAC replay buffers up to this many transitions are checkpointed (FourRooms' 1e4); larger ones refill. */
    static final int MAX_CHECKPOINTED_BUFFER = 100_000;

    /**
     * The agents checkpoint every N updates; the spec asks for every N environment steps. SAC makes
     * gradientSteps updates per trainFreq steps; PPO one update per rollout (numEnvs x rolloutSteps
     * steps) or, episodic, per episode (estimated at half the env's time limit, else 200 steps).
     */
    static long updatesPerCheckpoint(AlgoConfig config, long everySteps, int maxEpisodeSteps) {
        if (everySteps <= 0) {
            return 0;
        }
        double updatesPerStep;
        if (config instanceof SacConfig sac) {
            updatesPerStep = (double) sac.gradientSteps() / sac.trainFreq();
        } else {
            PpoConfig ppo = (PpoConfig) config;
            double stepsPerUpdate = ppo.episodic() ? (maxEpisodeSteps > 0 ? maxEpisodeSteps / 2.0 : 200)
                    : (double) ppo.numEnvs() * ppo.rolloutSteps();
            updatesPerStep = 1.0 / stepsPerUpdate;
        }
        return Math.max(1, Math.round(everySteps * updatesPerStep));
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
     * An agents-module evaluation as the wire summary. EvalResult has no termination flags, so an
     * episode counts as a success when it reaches the env's reward threshold, or (envs without one,
     * e.g. FourRooms) when it ended before the time limit, i.e. terminated.
     */
    static EvaluationSummary summary(EvalResult r, double threshold, int maxSteps) {
        int n = r.episodes();
        long[] lengths = new long[n];
        int successes = 0;
        for (int i = 0; i < n; i++) {
            lengths[i] = r.lengths()[i];
            boolean ok = !Double.isNaN(threshold) ? r.returns()[i] >= threshold : maxSteps <= 0 || r.lengths()[i] < maxSteps;
            if (ok) {
                successes++;
            }
        }
        return PolicyEvaluator.summary(r.returns(), lengths, r.discountedReturns(), n == 0 ? Double.NaN : (double) successes / n);
    }

    @Override
    public Policy loadPolicy(Path modelFile) throws IOException {
        dev.gymrpc.agents.Policy p = ModelIO.load(modelFile);
        Box obs;
        Discrete act;
        try (Env<?> env = registry.make(p.envId(), p.envOptions())) {
            obs = env.observationSpace();
            act = (Discrete) env.actionSpace();
        }
        return new AgentsPolicy(p, obs, act);
    }

    @Override
    public Map<String, String> versions() {
        return versionsOf(RunContext.versions());
    }

    private static Map<String, String> versionsOf(Map<String, String> agents) {
        Map<String, String> v = new LinkedHashMap<>(new java.util.TreeMap<>(agents));
        v.put("gymrpc-server", "0.1.0-SNAPSHOT");
        v.put("model-format", MODEL_FORMAT);
        return v;
    }

    /** An agents-module policy behind the server's {@link Policy}; calls are serialised (scratch buffers). */
    static final class AgentsPolicy implements Policy {
        private final dev.gymrpc.agents.Policy policy;
        private final Box obs;
        private final Discrete act;

        AgentsPolicy(dev.gymrpc.agents.Policy policy, Box obs, Discrete act) {
            this.policy = policy;
            this.obs = obs;
            this.act = act;
        }

        @Override
        public Box observationSpace() {
            return obs;
        }

        @Override
        public Discrete actionSpace() {
            return act;
        }

        @Override
        public synchronized float[][] probabilities(float[][] observations) {
            int dim = policy.observationSize();
            float[] flat = new float[observations.length * dim];
            for (int i = 0; i < observations.length; i++) {
                System.arraycopy(observations[i], 0, flat, i * dim, dim);
            }
            dev.gymrpc.agents.Policy.Actions a = policy.act(flat, observations.length, true);
            float[][] out = new float[observations.length][a.numActions()];
            for (int i = 0; i < out.length; i++) {
                System.arraycopy(a.probabilities(), i * a.numActions(), out[i], 0, a.numActions());
            }
            return out;
        }
    }
}
