package dev.gymrpc.server.agent;

import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Budget;
import dev.gymrpc.agents.EvalResult;
import dev.gymrpc.agents.EvalSchedule;
import dev.gymrpc.agents.RunContext;
import dev.gymrpc.agents.TrainRequest;
import dev.gymrpc.agents.Trainer;
import dev.gymrpc.agents.TrainingListener;
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
import dev.gymrpc.server.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The production {@link AgentBackend}: the agents module's PPO-Clip and Discrete SAC ({@link Trainer}).
 * It maps the wire's {@link TrainingSpec} to the agents' config records ({@link ConfigMapping}),
 * forwards the agents' {@link TrainingListener} callbacks to the job, runs the final evaluation and
 * writes the model file.
 *
 * <p>Model file ({@code model.bin} in the store, the bytes GetModel sends): a zip, in the spirit of
 * SB3's saved models, holding {@code spec.json} (the resolved TrainingSpec as protobuf JSON: full config,
 * seed, env and options), {@code meta.json} (format, algorithm, env id, observation and action sizes,
 * versions) and {@code actor.bin} (big-endian: int layer count, the layer widths input first, int
 * parameter count, then the actor's float32 parameters in the agents module's {@code Mlp} layout).
 */
public final class AgentsModuleBackend implements AgentBackend {

    /** Format tag in {@code meta.json}; bumped when the layout changes. */
    public static final String MODEL_FORMAT = "gymrpc-policy-v1";

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
    public TrainingOutcome train(TrainingSpec spec, TrainingRun run) {
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
        if (run.resumeFrom().isPresent()) {
            // The agents module has no checkpoint/resume API yet (see the class Javadoc of TrainingRun);
            // a checkpoint could only have come from another backend.
            throw new IllegalStateException("this server's agents cannot resume from a checkpoint yet; the job "
                    + "restarts from step 0 once its checkpoints are removed");
        }
        int maxSteps = envSpec.maxEpisodeSteps();
        double threshold = envSpec.rewardThreshold();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onEpisode(dev.gymrpc.agents.EpisodeStats e) {
                run.onEpisode(e.envSteps(), e.episode() - 1, e.ret(), e.length(), e.discounted(), e.terminated());
            }

            @Override
            public void onUpdate(long envSteps, long update, Map<String, Double> metrics) {
                run.onUpdate(envSteps, update, metrics);
            }

            @Override
            public void onEvaluation(long envSteps, long episodes, EvalResult r) {
                run.onEvaluation(envSteps, episodes, summary(r, threshold, maxSteps));
            }
        };
        Trainer.TrainResult result;
        try {
            result = Trainer.train(request, listener, run::stopRequested);
        } catch (dev.gymrpc.agents.TrainingDivergedException e) {
            throw new TrainingDivergedException(e.getMessage(), -1, e);
        }
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
        byte[] model = writeModel(spec, policy, obsSpace, actSpace);
        return new TrainingOutcome(result.envSteps(), result.episodes(), false, finalEval, out -> out.write(model),
                obsSpace, actSpace);
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

    // ------------------------------------------------------------------ model files

    private static byte[] writeModel(TrainingSpec spec, dev.gymrpc.agents.Policy policy, Box obs, Discrete act) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                put(zip, "meta.json", metaJson(spec, policy, obs, act).getBytes(StandardCharsets.UTF_8));
                put(zip, "spec.json", Store.toJson(spec).getBytes(StandardCharsets.UTF_8));
                ByteArrayOutputStream actor = new ByteArrayOutputStream();
                try (DataOutputStream d = new DataOutputStream(actor)) {
                    int[] sizes = policy.sizes();
                    d.writeInt(sizes.length);
                    for (int s : sizes) {
                        d.writeInt(s);
                    }
                    float[] p = policy.parameters();
                    d.writeInt(p.length);
                    for (float f : p) {
                        d.writeFloat(f);
                    }
                }
                put(zip, "actor.bin", actor.toByteArray());
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String metaJson(TrainingSpec spec, dev.gymrpc.agents.Policy policy, Box obs, Discrete act) {
        StringBuilder v = new StringBuilder();
        for (Map.Entry<String, String> e : versionsOf(policy.versions()).entrySet()) {
            v.append(v.length() == 0 ? "" : ", ").append('"').append(e.getKey()).append("\": \"")
                    .append(e.getValue().replace("\"", "'")).append('"');
        }
        return "{\n  \"format\": \"" + MODEL_FORMAT + "\",\n  \"algorithm\": \"" + policy.config().algorithm()
                + "\",\n  \"env_id\": \"" + spec.getEnvId() + "\",\n  \"seed\": " + spec.getSeed()
                + ",\n  \"observation_size\": " + obs.flatSize() + ",\n  \"num_actions\": " + act.n()
                + ",\n  \"action_start\": " + act.start() + ",\n  \"versions\": {" + v + "}\n}\n";
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }

    @Override
    public Policy loadPolicy(Path modelFile) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(modelFile))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        }
        byte[] specJson = entries.get("spec.json");
        byte[] actor = entries.get("actor.bin");
        if (specJson == null || actor == null) {
            throw new IOException(modelFile + " is not a " + MODEL_FORMAT + " model (spec.json or actor.bin missing)");
        }
        TrainingSpec.Builder sb = TrainingSpec.newBuilder();
        Store.parseJson(new String(specJson, StandardCharsets.UTF_8), sb);
        TrainingSpec spec = sb.build();
        int[] sizes;
        float[] params;
        try (InputStream in = new java.io.ByteArrayInputStream(actor); DataInputStream d = new DataInputStream(in)) {
            sizes = new int[d.readInt()];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = d.readInt();
            }
            params = new float[d.readInt()];
            for (int i = 0; i < params.length; i++) {
                params[i] = d.readFloat();
            }
        }
        Map<String, Object> options = Values.fromValueMap(spec.getEnvOptionsMap());
        Box obs;
        Discrete act;
        try (Env<?> env = registry.make(spec.getEnvId(), options)) {
            obs = env.observationSpace();
            act = (Discrete) env.actionSpace();
        }
        dev.gymrpc.agents.Policy p = new dev.gymrpc.agents.Policy(ConfigMapping.toConfig(spec), spec.getEnvId(),
                options, spec.getSeed(), sizes, params, RunContext.versions());
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
