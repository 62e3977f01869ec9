package dev.gymrpc.server.agent;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Algorithm;
import dev.gymrpc.agents.Algorithms;
import dev.gymrpc.agents.Evaluator;
import dev.gymrpc.agents.config.ConfigSchema;
import dev.gymrpc.agents.config.InvalidConfigException;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.proto.v1.Augmentations;
import dev.gymrpc.proto.v1.EvaluationSchedule;
import dev.gymrpc.proto.v1.TrainingSpec;
import dev.gymrpc.proto.wire.Values;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a wire {@link TrainingSpec} into an algorithm and its config, for every {@link Algorithm} alike:
 * the named preset (or the algorithm's default for the env) overlaid with the values the request sets,
 * parsed and range-checked by the algorithm's {@link ConfigSchema}. No field is mapped by hand: the
 * deprecated typed messages ({@code sac}, {@code ppo}, {@code augmentations}) are read by their field
 * names, which are the schema's names.
 *
 * <p>The resolved spec has {@code algorithm_name}, {@code preset}, every config value, the
 * augmentations, the evaluation schedule, the checkpoint interval and the divergence threshold set
 * explicitly, so a job's {@code job.json} and a model's provenance record the effective values; for "sac"
 * and "ppo" it also fills the deprecated enum and typed message, so clients written against them read
 * the same values as before.
 */
public final class SpecResolver {

    /** Default number of episodes of a periodic evaluation. */
    static final int DEFAULT_EVAL_EPISODES = 5;
    /** Default number of episodes of the final evaluation stored with the model. */
    static final int DEFAULT_FINAL_EPISODES = 10;

    private SpecResolver() {
    }

    /** The algorithm a spec names (by name, or by the deprecated enum). */
    public static Algorithm algorithm(TrainingSpec spec) {
        String legacy = switch (spec.getAlgorithm()) {
            case ALGORITHM_PPO -> "ppo";
            case ALGORITHM_SAC -> "sac";
            default -> "";
        };
        String name = spec.getAlgorithmName().trim();
        if (!name.isEmpty() && !legacy.isEmpty() && !name.equalsIgnoreCase(legacy)) {
            throw new ConfigException("algorithm_name", "is '" + name + "' but the deprecated algorithm enum says '"
                    + legacy + "'; set only algorithm_name");
        }
        try {
            return Algorithms.get(name.isEmpty() ? (legacy.isEmpty() ? null : legacy) : name);
        } catch (InvalidConfigException e) {
            throw new ConfigException("algorithm_name", e.getMessage().substring("algorithm ".length()));
        }
    }

    /** Fills every unset field, validates, and returns the fully explicit spec. */
    public static TrainingSpec resolve(TrainingSpec spec, EnvRegistry registry) {
        Algorithm algo = algorithm(spec);
        if (spec.getEnvId().isBlank()) {
            throw new ConfigException("env_id", "is required, one of " + registry.ids());
        }
        Map<String, Object> options = Values.fromValueMap(spec.getEnvOptionsMap());
        String preset;
        try (Env<?> env = registry.make(spec.getEnvId(), options)) { // unknown id / bad option -> their errors
            if (!algo.supports(env.actionSpace())) {
                throw new ConfigException("env_id", spec.getEnvId() + " has action space " + env.actionSpace()
                        + " but " + algo.name() + " acts in " + kinds(algo) + " spaces; choose an algorithm for it ("
                        + supporting(env.actionSpace()) + ") or another env");
            }
            preset = spec.getPreset().isBlank() ? algo.defaultPreset(registry.spec(spec.getEnvId())) : spec.getPreset();
        }
        AlgoConfig config = toConfig(algo, preset, spec);
        TrainingSpec.Builder out = spec.toBuilder().setAlgorithmName(algo.name()).setPreset(preset)
                .clearConfigValues().clearAlgorithm().clearConfig();
        ConfigSchema schema = algo.schema();
        Map<String, Object> values = schema.toMap((Record) config);
        values.forEach((k, v) -> out.putConfigValues(k, Values.toValue(wire(v))));
        out.setAugmentations(toMessage(Augmentations.newBuilder(), values, "augmentations."));
        if (algo.name().equals("sac")) {
            out.setAlgorithm(dev.gymrpc.proto.v1.Algorithm.ALGORITHM_SAC)
                    .setSac(toMessage(dev.gymrpc.proto.v1.SacConfig.newBuilder(), values, ""));
        } else if (algo.name().equals("ppo")) {
            out.setAlgorithm(dev.gymrpc.proto.v1.Algorithm.ALGORITHM_PPO)
                    .setPpo(toMessage(dev.gymrpc.proto.v1.PpoConfig.newBuilder(), values, ""));
        }
        switch (spec.getBudgetCase()) {
            case TOTAL_STEPS -> {
                if (spec.getTotalSteps() < 1) {
                    throw new ConfigException("total_steps", "must be >= 1, got " + spec.getTotalSteps());
                }
            }
            case TOTAL_EPISODES -> {
                if (spec.getTotalEpisodes() < 1) {
                    throw new ConfigException("total_episodes", "must be >= 1, got " + spec.getTotalEpisodes());
                }
            }
            default -> throw new ConfigException("budget", "is required: set total_steps or total_episodes");
        }
        out.setEvaluation(resolveEvaluation(spec.getEvaluation()));
        if (!spec.hasCheckpointEverySteps()) {
            out.setCheckpointEverySteps(spec.hasTotalSteps() ? Math.max(1000, spec.getTotalSteps() / 20) : 10_000);
        } else if (spec.getCheckpointEverySteps() < 0) {
            throw new ConfigException("checkpoint_every_steps", "must be >= 0, got " + spec.getCheckpointEverySteps());
        }
        if (!spec.hasAbortGradNorm()) {
            out.setAbortGradNorm(dev.gymrpc.agents.TrainRequest.DEFAULT_ABORT_GRAD_NORM);
        } else if (!(spec.getAbortGradNorm() >= 0) || Double.isInfinite(spec.getAbortGradNorm())) {
            throw new ConfigException("abort_grad_norm", "must be a finite number >= 0 (0 = off), got "
                    + spec.getAbortGradNorm());
        }
        if (spec.hasGradDiagnostics()) {
            dev.gymrpc.agents.diag.GradientDiagnostics d = gradDiagnostics(spec);
            out.setGradDiagnostics(dev.gymrpc.proto.v1.GradientDiagnostics.newBuilder().setEvery(d.every())
                    .setMinibatches(d.minibatches()).setLargeBatch(d.largeBatch()));
        }
        return out.build();
    }

    /**
     * The gradient-quality diagnostics a spec asks for ({@code OFF} when unset); 0 in {@code minibatches} or
     * {@code large_batch} takes the default. Out-of-range values are a {@link ConfigException} naming the field.
     */
    public static dev.gymrpc.agents.diag.GradientDiagnostics gradDiagnostics(TrainingSpec spec) {
        if (!spec.hasGradDiagnostics()) {
            return dev.gymrpc.agents.diag.GradientDiagnostics.OFF;
        }
        dev.gymrpc.proto.v1.GradientDiagnostics g = spec.getGradDiagnostics();
        if (g.getEvery() < 0) {
            throw new ConfigException("grad_diagnostics.every", "must be >= 0 (0 = off), got " + g.getEvery());
        }
        if (g.getMinibatches() < 0 || g.getMinibatches() == 1) {
            throw new ConfigException("grad_diagnostics.minibatches", "must be >= 2 (0 = the default "
                    + dev.gymrpc.agents.diag.GradientDiagnostics.DEFAULT_MINIBATCHES + "), got " + g.getMinibatches());
        }
        if (g.getLargeBatch() < 0) {
            throw new ConfigException("grad_diagnostics.large_batch", "must be >= 1 (0 = the default "
                    + dev.gymrpc.agents.diag.GradientDiagnostics.DEFAULT_LARGE_BATCH + "), got " + g.getLargeBatch());
        }
        return new dev.gymrpc.agents.diag.GradientDiagnostics(g.getEvery(),
                g.getMinibatches() == 0 ? dev.gymrpc.agents.diag.GradientDiagnostics.DEFAULT_MINIBATCHES : g.getMinibatches(),
                g.getLargeBatch() == 0 ? dev.gymrpc.agents.diag.GradientDiagnostics.DEFAULT_LARGE_BATCH : g.getLargeBatch());
    }

    /** The config of a resolved spec (its preset overlaid with its config values). */
    public static AlgoConfig toConfig(TrainingSpec resolved) {
        return toConfig(algorithm(resolved), resolved.getPreset(), resolved);
    }

    /**
     * The preset overlaid with, in order, the deprecated typed message's set fields, the set fields of
     * {@code augmentations}, and {@code config_values}.
     */
    static AlgoConfig toConfig(Algorithm algo, String preset, TrainingSpec spec) {
        AlgoConfig base;
        try {
            base = algo.preset(preset);
        } catch (InvalidConfigException e) {
            throw new ConfigException("preset", e.getMessage().substring("preset ".length()));
        }
        Map<String, Object> set = new LinkedHashMap<>();
        Map<String, String> wirePath = new LinkedHashMap<>(); // where the request set each field
        switch (spec.getConfigCase()) {
            case SAC -> {
                requireLegacy(algo, "sac");
                readSet(spec.getSac(), "", set);
                set.keySet().forEach(k -> wirePath.put(k, "sac." + k));
            }
            case PPO -> {
                requireLegacy(algo, "ppo");
                readSet(spec.getPpo(), "", set);
                set.keySet().forEach(k -> wirePath.put(k, "ppo." + k));
            }
            default -> {
            }
        }
        readSet(spec.getAugmentations(), "augmentations.", set);
        spec.getConfigValuesMap().forEach((k, v) -> {
            set.put(k, Values.fromValue(v));
            wirePath.put(k, "config_values." + k);
        });
        try {
            return (AlgoConfig) algo.schema().apply((Record) base, set);
        } catch (InvalidConfigException e) {
            throw new ConfigException(wirePath.getOrDefault(e.field(), e.field()),
                    e.getMessage().substring(e.field().length() + 1));
        }
    }

    private static void requireLegacy(Algorithm algo, String want) {
        if (!algo.name().equals(want)) {
            throw new ConfigException(want, "is set but the algorithm is " + algo.name()
                    + "; set config_values instead (field names: ListAlgorithms)");
        }
    }

    /** The fields a message sets, by name: optional scalars that are present, non-empty lists, non-zero enums. */
    private static void readSet(Message m, String prefix, Map<String, Object> out) {
        for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
            if (f.isRepeated()) {
                if (m.getRepeatedFieldCount(f) > 0) {
                    out.put(prefix + f.getName(), m.getField(f));
                }
            } else if (f.getJavaType() == FieldDescriptor.JavaType.ENUM) {
                EnumValueDescriptor e = (EnumValueDescriptor) m.getField(f);
                if (e.getNumber() != 0) {
                    out.put(prefix + f.getName(), e.getName());
                }
            } else if (m.hasField(f)) {
                out.put(prefix + f.getName(), m.getField(f));
            }
        }
    }

    /** Sets every field of {@code b} whose name (after {@code prefix}) is a config value. */
    @SuppressWarnings("unchecked")
    private static <B extends Message.Builder> B toMessage(B b, Map<String, Object> values, String prefix) {
        for (FieldDescriptor f : b.getDescriptorForType().getFields()) {
            Object v = values.get(prefix + f.getName());
            if (v == null) {
                continue;
            }
            if (f.isRepeated()) {
                for (Object o : (List<Object>) v) {
                    b.addRepeatedField(f, o);
                }
            } else if (f.getJavaType() == FieldDescriptor.JavaType.ENUM) {
                String want = String.valueOf(v).toUpperCase(Locale.ROOT);
                for (EnumValueDescriptor e : f.getEnumType().getValues()) {
                    if (e.getNumber() != 0 && (e.getName().equals(want) || e.getName().endsWith("_" + want))) {
                        b.setField(f, e);
                    }
                }
            } else if (f.getJavaType() == FieldDescriptor.JavaType.INT && v instanceof Number n) {
                b.setField(f, n.intValue());
            } else if (f.getJavaType() == FieldDescriptor.JavaType.LONG && v instanceof Number n) {
                b.setField(f, n.longValue());
            } else if (f.getJavaType() == FieldDescriptor.JavaType.DOUBLE && v instanceof Number n) {
                b.setField(f, n.doubleValue());
            } else {
                b.setField(f, v);
            }
        }
        return b;
    }

    /** A schema value in a form {@link Values#toValue} accepts (lists as int arrays). */
    static Object wire(Object v) {
        if (v instanceof List<?> l) {
            long[] a = new long[l.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = ((Number) l.get(i)).longValue();
            }
            return a;
        }
        return v;
    }

    private static String kinds(Algorithm a) {
        return a.actionKinds().stream().map(k -> k.name().toLowerCase(Locale.ROOT)).sorted().toList().toString();
    }

    private static String supporting(dev.gymrpc.envs.Space<?> space) {
        List<String> names = Algorithms.all().values().stream().filter(a -> a.supports(space)).map(Algorithm::name).toList();
        return names.isEmpty() ? "none here" : String.join(", ", names);
    }

    private static EvaluationSchedule resolveEvaluation(EvaluationSchedule e) {
        EvaluationSchedule.Builder b = e.toBuilder();
        if (!e.hasEveryEpisodes()) {
            b.setEveryEpisodes(0);
        } else if (e.getEveryEpisodes() < 0) {
            throw new ConfigException("evaluation.every_episodes", "must be >= 0 (0 = never), got " + e.getEveryEpisodes());
        }
        if (!e.hasEverySteps()) {
            b.setEverySteps(0);
        } else if (e.getEverySteps() < 0) {
            throw new ConfigException("evaluation.every_steps", "must be >= 0 (0 = never), got " + e.getEverySteps());
        }
        if (!e.hasEpisodes()) {
            b.setEpisodes(DEFAULT_EVAL_EPISODES);
        } else if (e.getEpisodes() < 1 || e.getEpisodes() > 1000) {
            throw new ConfigException("evaluation.episodes", "must be in 1..1000, got " + e.getEpisodes());
        }
        if (!e.hasFinalEpisodes()) {
            b.setFinalEpisodes(DEFAULT_FINAL_EPISODES);
        } else if (e.getFinalEpisodes() < 0 || e.getFinalEpisodes() > Evaluator.MAX_EPISODES) {
            throw new ConfigException("evaluation.final_episodes", "must be in 0.." + Evaluator.MAX_EPISODES
                    + ", got " + e.getFinalEpisodes());
        }
        if (!e.hasDeterministic()) {
            b.setDeterministic(true);
        }
        if (e.hasStopAtMeanReturn()) {
            if (!Double.isFinite(e.getStopAtMeanReturn())) {
                throw new ConfigException("evaluation.stop_at_mean_return", "must be a finite return, got "
                        + e.getStopAtMeanReturn());
            }
            if (b.getEveryEpisodes() == 0 && b.getEverySteps() == 0) {
                throw new ConfigException("evaluation.stop_at_mean_return", "needs periodic evaluations: set "
                        + "evaluation.every_steps or evaluation.every_episodes too");
            }
        }
        return b.build();
    }
}
