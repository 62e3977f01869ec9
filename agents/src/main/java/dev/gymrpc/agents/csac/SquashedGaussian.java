package dev.gymrpc.agents.csac;

import dev.gymrpc.agents.ActionHead;
import java.util.random.RandomGenerator;

/**
 * The tanh-squashed Gaussian policy of SAC for a batch of actor outputs (the {@link ActionHead}
 * {@code SQUASHED_GAUSSIAN} layout: {@code d} means, then {@code d} log-std pre-activations per row),
 * with the reparameterised sample, its log-probability and the hand-derived gradient of a loss
 * {@code L(a, log pi(a|s))} with respect to the actor's outputs.
 *
 * <p>Per row and action dimension (Haarnoja et al. 2018, appendix C; CleanRL's
 * {@code sac_continuous_action.py} for the log-std squashing and the 1e-6):
 * <pre>
 *   ls = LOG_STD_MIN + (LOG_STD_MAX - LOG_STD_MIN) (tanh(s) + 1) / 2,   std = exp(ls)
 *   u  = mu + std * eps,  eps ~ N(0, 1)                                (reparameterisation)
 *   t  = tanh(u),  a = bias + scale * t
 *   log pi(a|s) = sum_j [ -eps_j^2 / 2 - ls_j - log(2 pi) / 2 - log(scale_j (1 - t_j^2) + 1e-6) ]
 * </pre>
 * With {@code u - mu = std * eps}, the Gaussian term depends on the parameters only through
 * {@code -ls}. So for {@code gA = dL/da} and {@code gL = dL/d log pi}:
 * <pre>
 *   dL/du  = gA scale (1 - t^2) + gL * 2 scale t (1 - t^2) / (scale (1 - t^2) + 1e-6)
 *   dL/dmu = dL/du
 *   dL/dls = dL/du * std * eps - gL
 *   dL/ds  = dL/dls * (LOG_STD_MAX - LOG_STD_MIN) / 2 * (1 - tanh(s)^2)
 * </pre>
 * Checked against finite differences in {@code SquashedGaussianTest}.
 */
public final class SquashedGaussian {

    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
    /** CleanRL's guard inside the log of the tanh Jacobian. */
    static final double JACOBIAN_EPS = 1e-6;

    private SquashedGaussian() {
    }

    /** Fills {@code eps[0 .. n*d)} with standard normal draws. */
    public static void drawNoise(RandomGenerator rng, double[] eps, int n, int d) {
        for (int k = 0; k < n * d; k++) {
            eps[k] = rng.nextGaussian();
        }
    }

    /**
     * Reparameterised actions and log-probabilities for {@code n} rows of actor outputs {@code out}
     * ({@code n x 2d}) and noise {@code eps} ({@code n x d}). Writes the env-scale actions ({@code n x d},
     * float, for the critics and the env), {@code tanh(u)} ({@code n x d}) and {@code log pi} ({@code n}).
     */
    public static void sample(ActionHead head, float[] out, double[] eps, int n, float[] act, double[] t, double[] logp) {
        int d = head.n();
        for (int i = 0; i < n; i++) {
            double lp = 0;
            for (int j = 0; j < d; j++) {
                int k = i * d + j;
                double mu = out[i * 2 * d + j];
                double ls = ActionHead.logStd(out[i * 2 * d + d + j]);
                double e = eps[k];
                double tj = Math.tanh(mu + Math.exp(ls) * e);
                double scale = head.scale(j);
                t[k] = tj;
                act[k] = (float) (head.bias(j) + scale * tj);
                lp += -0.5 * e * e - ls - HALF_LOG_2PI - Math.log(scale * (1 - tj * tj) + JACOBIAN_EPS);
            }
            logp[i] = lp;
        }
    }

    /**
     * Gradient of a loss with respect to the actor outputs, given {@code gA = dL/da} ({@code n x d}) and
     * {@code gL = dL/d log pi} ({@code n}) at the sample {@link #sample} drew with the same {@code out}
     * and {@code eps}; writes {@code dOut} ({@code n x 2d}).
     */
    public static void backward(ActionHead head, float[] out, double[] eps, double[] t, int n, double[] gA, double[] gL,
                                float[] dOut) {
        int d = head.n();
        double half = 0.5 * (ActionHead.LOG_STD_MAX - ActionHead.LOG_STD_MIN);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                int k = i * d + j;
                double s = out[i * 2 * d + d + j];
                double th = Math.tanh(s);
                double std = Math.exp(ActionHead.logStd(s));
                double scale = head.scale(j);
                double tj = t[k];
                double kk = 1 - tj * tj;
                double dU = gA[k] * scale * kk + gL[i] * 2 * scale * tj * kk / (scale * kk + JACOBIAN_EPS);
                double dLs = dU * std * eps[k] - gL[i];
                dOut[i * 2 * d + j] = (float) dU;
                dOut[i * 2 * d + d + j] = (float) (dLs * half * (1 - th * th));
            }
        }
    }
}
