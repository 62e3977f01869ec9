package dev.gymrpc.envs;

import dev.gymrpc.envs.box2d.LunarLander;
import dev.gymrpc.envs.classic.CartPole;
import dev.gymrpc.envs.fourrooms.FourRooms;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes envs by id with keyword options, as {@code gymnasium.make} does, applying the registered time
 * limit through {@link TimeLimit}. {@link #standard()} holds every env of this module.
 */
public final class EnvRegistry {

    private static final EnvRegistry STANDARD = new EnvRegistry()
            .register(FourRooms.SPEC)
            .register(LunarLander.SPEC)
            .register(LunarLander.CONTINUOUS_SPEC)
            .register(CartPole.SPEC);

    private final Map<String, EnvSpec> specs = Collections.synchronizedMap(new LinkedHashMap<>());

    /** The registry with FourRooms-v0, LunarLander-v3, LunarLanderContinuous-v3 and CartPole-v1. */
    public static EnvRegistry standard() {
        return STANDARD;
    }

    /** Adds {@code spec}; an id can be registered once. */
    public EnvRegistry register(EnvSpec spec) {
        if (specs.putIfAbsent(spec.id(), spec) != null) {
            throw new IllegalArgumentException("env id already registered: " + spec.id());
        }
        return this;
    }

    /** The spec of {@code id}, or {@link UnknownEnvException} listing the registered ids. */
    public EnvSpec spec(String id) {
        EnvSpec s = specs.get(id);
        if (s == null) {
            throw new UnknownEnvException(id, ids());
        }
        return s;
    }

    public Collection<EnvSpec> specs() {
        synchronized (specs) {
            return List.copyOf(specs.values());
        }
    }

    public List<String> ids() {
        synchronized (specs) {
            return new ArrayList<>(specs.keySet());
        }
    }

    /** Makes {@code id} with its default options. */
    public Env<?> make(String id) {
        return make(id, Map.of());
    }

    /**
     * Makes {@code id} with {@code options}, wrapped in the registered time limit. The special option
     * {@code max_episode_steps} overrides the registered limit (0 disables it), as in Gymnasium.
     */
    public Env<?> make(String id, Map<String, ?> options) {
        EnvSpec spec = spec(id);
        Map<String, Object> opts = new LinkedHashMap<>(options == null ? Map.of() : options);
        int limit = spec.maxEpisodeSteps();
        Object override = opts.remove("max_episode_steps");
        if (override != null) {
            limit = parseLimit(override);
        }
        Env<?> env = spec.factory().apply(Options.parse(id, spec.options(), opts));
        return limit > 0 ? TimeLimit.wrap(env, limit) : env;
    }

    /** Typed {@link #make} for callers that know the action type. */
    @SuppressWarnings("unchecked")
    public <A> Env<A> make(String id, Map<String, ?> options, Class<A> actionType) {
        Env<?> env = make(id, options);
        Object probe = env.actionSpace() instanceof Discrete ? Integer.valueOf(0) : new float[0];
        if (!actionType.isInstance(probe)) {
            env.close();
            throw new IllegalArgumentException(id + " has action space " + env.actionSpace()
                    + ", not actions of type " + actionType.getSimpleName());
        }
        return (Env<A>) env;
    }

    private static int parseLimit(Object v) {
        try {
            long l = v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().trim());
            if (l < 0 || l > Integer.MAX_VALUE) {
                throw new InvalidOptionException("max_episode_steps", "must be between 0 (no limit) and "
                        + Integer.MAX_VALUE + ", got " + v);
            }
            return (int) l;
        } catch (NumberFormatException e) {
            throw new InvalidOptionException("max_episode_steps", "expected int, got " + v);
        }
    }
}
