package dev.gymrpc.agents;

import dev.gymrpc.agents.config.ConfigSchema;
import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.EnvSpec;
import dev.gymrpc.envs.Space;
import java.util.Map;
import java.util.Set;

/**
 * A training algorithm as a plug-in: everything the server, the CLI and the Python client need to list
 * it, configure it, train it and load what it trained, without knowing its internals. Implementations
 * live in their own package and are found by {@link Algorithms} through {@link java.util.ServiceLoader}
 * (one line in {@code META-INF/services/dev.gymrpc.agents.Algorithm}).
 *
 * <p>Its config is one immutable record implementing {@link AlgoConfig} whose components carry
 * {@link dev.gymrpc.agents.config.Param} annotations (doc and range written once); defaults live only
 * in {@link #presets()}.
 */
public interface Algorithm {

    /** The kinds of action space an algorithm can act in. */
    enum ActionKind {
        /** {@link Discrete}. */
        DISCRETE,
        /** A bounded {@link Box}. */
        CONTINUOUS;

        /** The kind of {@code space}. */
        public static ActionKind of(Space<?> space) {
            return space instanceof Discrete ? DISCRETE : CONTINUOUS;
        }
    }

    /** Short name used on the wire, in model files and on the command line, e.g. {@code "ppo"}. */
    String name();

    /** One line for listings, with the reference it implements. */
    String description();

    /** The action spaces it supports. */
    Set<ActionKind> actionKinds();

    /** Its config record class. */
    Class<? extends AlgoConfig> configType();

    /** The fields of its config, with types, ranges and docs. */
    default ConfigSchema schema() {
        return ConfigSchema.of(configType().asSubclass(Record.class));
    }

    /** Named presets, in listing order; the values are complete configs. */
    Map<String, ? extends AlgoConfig> presets();

    /** The preset used for {@code env} when a request names none. */
    String defaultPreset(EnvSpec env);

    /**
     * Sets up one run of {@code config} ({@code ctx} has the request, the env registry, the seed and the
     * book-keeping). The env's spaces are checked by the caller against {@link #actionKinds()}.
     */
    Runner newRunner(AlgoConfig config, RunContext ctx);

    /**
     * Average gradient updates per environment step under {@code config}, to turn a checkpoint interval
     * in env steps into one in updates ({@code maxEpisodeSteps} as an episode-length estimate, 0 unknown).
     */
    double updatesPerEnvStep(AlgoConfig config, int maxEpisodeSteps);

    /** Whether it can act in {@code actionSpace}: supported kind and, for a Box, bounded. */
    default boolean supports(Space<?> actionSpace) {
        if (!actionKinds().contains(ActionKind.of(actionSpace))) {
            return false;
        }
        return !(actionSpace instanceof Box b) || b.isBounded();
    }

    /** The preset {@code name}, or an error listing the valid names. */
    default AlgoConfig preset(String name) {
        AlgoConfig c = presets().get(name.toLowerCase(java.util.Locale.ROOT));
        if (c == null) {
            throw new dev.gymrpc.agents.config.InvalidConfigException("preset", "'" + name + "' is not a preset of "
                    + name() + "; choose one of " + String.join(", ", presets().keySet()));
        }
        return c;
    }
}
