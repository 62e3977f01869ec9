package dev.gymrpc.server.agent;

import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.Step;
import dev.gymrpc.proto.v1.EvaluationSummary;
import dev.gymrpc.server.jobs.Stats;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;

/**
 * Runs a stored policy for some episodes, as SB3's {@code evaluate_policy}: episode {@code i} resets
 * with {@code seed + i} (so an evaluation is reproducible and episodes differ), actions are the argmax
 * (deterministic) or sampled from the policy with a generator seeded from {@code seed}. Reports
 * per-episode returns, lengths and discounted returns, their mean and population std, and the success
 * rate: the fraction of episodes whose return reaches the env's reward threshold when it has one (e.g.
 * LunarLander 200, CartPole 475), otherwise the fraction that terminated rather than being truncated
 * (FourRooms: reached the goal).
 */
public final class PolicyEvaluator {

    /** Largest number of episodes one evaluation may run. */
    public static final int MAX_EPISODES = 10_000;

    private PolicyEvaluator() {
    }

    /**
     * @param gamma     discount of the reported discounted returns (the training config's)
     * @param cancelled polled every step; when true the evaluation stops with {@link CancelledException}
     */
    public static EvaluationSummary evaluate(Policy policy, EnvRegistry registry, String envId,
                                             Map<String, ?> options, int episodes, long seed,
                                             boolean deterministic, double gamma, BooleanSupplier cancelled) {
        if (episodes < 1 || episodes > MAX_EPISODES) {
            throw new ConfigException("episodes", "must be in 1.." + MAX_EPISODES + ", got " + episodes);
        }
        RandomGenerator rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        double threshold = registry.spec(envId).rewardThreshold();
        try (Env<?> env = registry.make(envId, options)) {
            checkCompatible(policy, env, envId);
            double[] returns = new double[episodes];
            double[] discounted = new double[episodes];
            long[] lengths = new long[episodes];
            int successes = 0;
            int start = ((Discrete) env.actionSpace()).start();
            for (int ep = 0; ep < episodes; ep++) {
                Reset r = env.reset(seed + ep, Map.of());
                float[] obs = r.observation();
                double ret = 0;
                double disc = 0;
                double g = 1;
                long len = 0;
                boolean terminated = false;
                while (true) {
                    if (cancelled.getAsBoolean()) {
                        throw new CancelledException("evaluation cancelled by the client after " + ep + " episodes");
                    }
                    float[] p = policy.probabilities(new float[][] {obs})[0];
                    int a = deterministic ? argmax(p) : sample(p, rng);
                    Step s = env.stepObject(start + a);
                    ret += s.reward();
                    disc += g * s.reward();
                    g *= gamma;
                    len++;
                    obs = s.observation();
                    if (s.terminated() || s.truncated()) {
                        terminated = s.terminated();
                        break;
                    }
                }
                returns[ep] = ret;
                discounted[ep] = disc;
                lengths[ep] = len;
                boolean success = Double.isNaN(threshold) ? terminated : ret >= threshold;
                if (success) {
                    successes++;
                }
            }
            return summary(returns, lengths, discounted, (double) successes / episodes);
        }
    }

    /** Builds the summary message with mean, population std and mean length. */
    public static EvaluationSummary summary(double[] returns, long[] lengths, double[] discounted, double successRate) {
        EvaluationSummary.Builder b = EvaluationSummary.newBuilder();
        double meanLen = 0;
        for (int i = 0; i < returns.length; i++) {
            b.addReturns(returns[i]).addLengths(lengths[i]);
            meanLen += lengths[i];
        }
        if (discounted != null) {
            for (double d : discounted) {
                b.addDiscountedReturns(d);
            }
        }
        return b.setMeanReturn(Stats.mean(returns)).setStdReturn(Stats.populationStd(returns))
                .setMeanLength(returns.length == 0 ? Double.NaN : meanLen / returns.length)
                .setSuccessRate(successRate).build();
    }

    static void checkCompatible(Policy policy, Env<?> env, String envId) {
        if (!(env.actionSpace() instanceof Discrete d) || d.n() != policy.actionSpace().n()) {
            throw new ConfigException("env_id", envId + " has action space " + env.actionSpace()
                    + " but the model acts in " + policy.actionSpace());
        }
        if (env.observationSpace().flatSize() != policy.observationSpace().flatSize()) {
            throw new ConfigException("env_id", envId + " observes " + env.observationSpace()
                    + " but the model expects " + policy.observationSpace());
        }
    }

    /** Index of the largest probability (the first on ties). */
    public static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Samples an index from the categorical distribution {@code p}. */
    public static int sample(float[] p, RandomGenerator rng) {
        double u = rng.nextDouble();
        double c = 0;
        for (int i = 0; i < p.length - 1; i++) {
            c += p[i];
            if (u < c) {
                return i;
            }
        }
        return p.length - 1;
    }

    /** The evaluation was cancelled (client gone or deadline passed). */
    public static final class CancelledException extends RuntimeException {
        public CancelledException(String message) {
            super(message);
        }
    }
}
