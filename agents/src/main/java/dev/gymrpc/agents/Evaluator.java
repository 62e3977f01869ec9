package dev.gymrpc.agents;

import dev.gymrpc.agents.util.Rng;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.Step;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Runs a policy for whole episodes, as SB3's {@code evaluate_policy}: episode {@code i} resets with
 * {@code seed + i}, stochastic actions draw from one generator {@code new Rng(seed)}. The one evaluator
 * of the project: periodic evaluations during training and the Evaluate rpc both call it, so the same
 * policy, env and seed give the same actions whichever asked.
 */
public final class Evaluator {

    /** Largest number of episodes one evaluation may run. */
    public static final int MAX_EPISODES = 10_000;

    private Evaluator() {
    }

    /** Evaluation stopped because {@code cancelled} turned true. */
    public static final class CancelledException extends RuntimeException {
        public CancelledException(String message) {
            super(message);
        }
    }

    /**
     * Evaluates {@code policy} on {@code episodes} episodes of a fresh {@code envId} env made by
     * {@code registry}. Discounted returns use the policy's gamma.
     *
     * @param cancelled polled every step; when it turns true a {@link CancelledException} is thrown
     */
    public static EvalResult evaluate(Policy policy, EnvRegistry registry, String envId, Map<String, ?> options,
                                      int episodes, long seed, boolean deterministic, BooleanSupplier cancelled) {
        checkEpisodes(episodes);
        try (Env<?> env = registry.make(envId, options == null ? Map.of() : options)) {
            return evaluate(policy, env, episodes, seed, deterministic, cancelled);
        }
    }

    /** As above on the standard registry, never cancelled. */
    public static EvalResult evaluate(Policy policy, String envId, Map<String, ?> options, int episodes, long seed,
                                      boolean deterministic) {
        return evaluate(policy, EnvRegistry.standard(), envId, options, episodes, seed, deterministic, () -> false);
    }

    /** As above on a caller-owned env. */
    public static EvalResult evaluate(Policy policy, Env<?> env, int episodes, long seed, boolean deterministic,
                                      BooleanSupplier cancelled) {
        checkEpisodes(episodes);
        checkCompatible(policy, env);
        double gamma = policy.config().gamma();
        Rng rng = new Rng(seed);
        double[] returns = new double[episodes];
        double[] disc = new double[episodes];
        int[] lengths = new int[episodes];
        boolean[] terminated = new boolean[episodes];
        for (int e = 0; e < episodes; e++) {
            Reset r = env.reset(seed + e, Map.of());
            float[] obs = r.observation();
            double ret = 0;
            double d = 0;
            double g = 1;
            int len = 0;
            while (true) {
                if (cancelled.getAsBoolean()) {
                    throw new CancelledException("evaluation cancelled after " + e + " of " + episodes + " episodes");
                }
                Step s = env.stepObject(policy.actObject(obs, deterministic, rng));
                ret += s.reward();
                d += g * s.reward();
                g *= gamma;
                len++;
                obs = s.observation();
                if (s.terminated() || s.truncated()) {
                    terminated[e] = s.terminated();
                    break;
                }
            }
            returns[e] = ret;
            disc[e] = d;
            lengths[e] = len;
        }
        return new EvalResult(returns, lengths, disc, terminated);
    }

    /** Rejects an env whose spaces do not match the policy's, naming both. */
    public static void checkCompatible(Policy policy, Env<?> env) {
        if (env.observationSpace().flatSize() != policy.observationSize()) {
            throw new IllegalArgumentException(env.spec().id() + " observes " + env.observationSpace()
                    + " (" + env.observationSpace().flatSize() + " floats) but the policy expects "
                    + policy.observationSize() + " floats");
        }
        ActionHead want = ActionHead.of(env.actionSpace());
        ActionHead have = policy.head();
        if (want.kind() != have.kind() || want.n() != have.n()) {
            throw new IllegalArgumentException(env.spec().id() + " has action space " + env.actionSpace()
                    + " but the policy acts with a " + have.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + " head over " + have.n() + (have.discrete() ? " actions" : " dimensions"));
        }
    }

    private static void checkEpisodes(int episodes) {
        if (episodes < 1 || episodes > MAX_EPISODES) {
            throw new dev.gymrpc.agents.config.InvalidConfigException("episodes",
                    "must be in 1.." + MAX_EPISODES + ", got " + episodes);
        }
    }
}
