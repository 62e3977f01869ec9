package dev.gymrpc.agents;

import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.Space;

/**
 * How an actor network's outputs become actions.
 * <ul>
 *   <li>{@link Kind#CATEGORICAL}: {@code n} logits; softmax probabilities; the greedy action is the
 *       argmax. Env action = {@code start + index}.</li>
 *   <li>{@link Kind#SQUASHED_GAUSSIAN} (SAC for continuous actions, Haarnoja et al. 2018, appendix C):
 *       {@code 2d} outputs, a mean {@code mu} and an unbounded {@code s} per action dimension;
 *       {@code log_std = LOG_STD_MIN + (LOG_STD_MAX - LOG_STD_MIN) (tanh(s) + 1) / 2} (CleanRL's
 *       {@code sac_continuous_action.py}); {@code u ~ N(mu, std)}, action
 *       {@code = bias + scale * tanh(u)} with {@code scale = (high - low) / 2}, {@code bias = (high + low) / 2};
 *       the greedy action is {@code bias + scale * tanh(mu)}.</li>
 * </ul>
 *
 * @param kind  the distribution
 * @param n     number of actions (CATEGORICAL) or action dimensions (SQUASHED_GAUSSIAN)
 * @param start first discrete action (Gymnasium's {@code Discrete(n, start)}), 0 for continuous
 * @param low   lower action bounds (SQUASHED_GAUSSIAN), else empty
 * @param high  upper action bounds (SQUASHED_GAUSSIAN), else empty
 */
public record ActionHead(Kind kind, int n, int start, float[] low, float[] high) {

    /** Bounds of the squashed Gaussian's log standard deviation. */
    public static final double LOG_STD_MIN = -5;
    public static final double LOG_STD_MAX = 2;

    /** The action distributions. */
    public enum Kind { CATEGORICAL, SQUASHED_GAUSSIAN }

    public ActionHead {
        if (kind == null || n < 1) {
            throw new IllegalArgumentException("an action head needs a kind and n >= 1");
        }
        low = low == null ? new float[0] : low.clone();
        high = high == null ? new float[0] : high.clone();
        if (kind == Kind.SQUASHED_GAUSSIAN && (low.length != n || high.length != n)) {
            throw new IllegalArgumentException("a squashed Gaussian head needs " + n + " low and high bounds");
        }
    }

    /** A softmax over {@code space}'s actions. */
    public static ActionHead categorical(Discrete space) {
        return new ActionHead(Kind.CATEGORICAL, space.n(), space.start(), null, null);
    }

    /** A tanh-squashed Gaussian rescaled to {@code space}'s bounds (which must be finite). */
    public static ActionHead squashedGaussian(Box space) {
        if (!space.isBounded()) {
            throw new IllegalArgumentException("a squashed Gaussian policy needs a bounded Box, got " + space);
        }
        return new ActionHead(Kind.SQUASHED_GAUSSIAN, space.flatSize(), 0, space.low(), space.high());
    }

    /** The natural head for {@code space}: categorical for Discrete, squashed Gaussian for a bounded Box. */
    public static ActionHead of(Space<?> space) {
        return space instanceof Discrete d ? categorical(d) : squashedGaussian((Box) space);
    }

    /** Actor network outputs this head reads: {@code n} logits, or {@code 2n} (means then log-std pre-activations). */
    public int outputs() {
        return kind == Kind.CATEGORICAL ? n : 2 * n;
    }

    /** Whether actions are discrete. */
    public boolean discrete() {
        return kind == Kind.CATEGORICAL;
    }

    /** {@code (high - low) / 2} of dimension {@code i}. */
    public float scale(int i) {
        return (high[i] - low[i]) / 2f;
    }

    /** {@code (high + low) / 2} of dimension {@code i}. */
    public float bias(int i) {
        return (high[i] + low[i]) / 2f;
    }

    /** The log standard deviation for the pre-activation {@code s}. */
    public static double logStd(double s) {
        return LOG_STD_MIN + 0.5 * (LOG_STD_MAX - LOG_STD_MIN) * (Math.tanh(s) + 1);
    }
}
