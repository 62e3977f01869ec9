package dev.gymrpc.agents;

import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.Step;
import dev.gymrpc.agents.util.Rng;
import java.util.Map;

/** Runs a policy for whole episodes and reports per-episode returns and lengths. */
public final class Evaluator {

    private Evaluator() {
    }

    /**
     * Evaluates {@code policy} on {@code episodes} episodes of a fresh {@code envId} env; episode {@code i}
     * is reset with seed {@code seed + i}, stochastic actions draw from a generator seeded with {@code seed}.
     * Discounted returns use the policy's gamma.
     */
    public static EvalResult evaluate(Policy policy, String envId, Map<String, ?> options, int episodes, long seed,
                                      boolean deterministic) {
        if (episodes < 1) {
            throw new IllegalArgumentException("episodes must be >= 1, got " + episodes);
        }
        try (Env<?> env = EnvRegistry.standard().make(envId, options == null ? Map.of() : options)) {
            return evaluate(policy, env, episodes, seed, deterministic);
        }
    }

    /** As above on a caller-owned env. */
    public static EvalResult evaluate(Policy policy, Env<?> env, int episodes, long seed, boolean deterministic) {
        if (env.observationSpace().flatSize() != policy.observationSize()) {
            throw new IllegalArgumentException("env observes " + env.observationSpace().flatSize()
                    + " floats but the policy expects " + policy.observationSize());
        }
        double gamma = policy.config().gamma();
        Rng rng = new Rng(seed);
        double[] returns = new double[episodes];
        double[] disc = new double[episodes];
        int[] lengths = new int[episodes];
        for (int e = 0; e < episodes; e++) {
            Reset r = env.reset(seed + e, Map.of());
            float[] obs = r.observation();
            double ret = 0;
            double d = 0;
            double g = 1;
            int len = 0;
            while (true) {
                int a = policy.act(obs, deterministic, rng);
                Step s = env.stepObject(a);
                ret += s.reward();
                d += g * s.reward();
                g *= gamma;
                len++;
                obs = s.observation();
                if (s.terminated() || s.truncated()) {
                    break;
                }
            }
            returns[e] = ret;
            disc[e] = d;
            lengths[e] = len;
        }
        return new EvalResult(returns, lengths, disc);
    }
}
