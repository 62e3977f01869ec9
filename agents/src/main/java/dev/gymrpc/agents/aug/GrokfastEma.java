package dev.gymrpc.agents.aug;

/**
 * Grokfast-EMA (Lee et al. 2024, "Grokfast: Accelerated Grokking by Amplifying Slow Gradients",
 * Algorithm 1 / the authors' {@code gradfilter_ema}): a low-pass filter of the gradient whose output is
 * added back, amplifying the slow component.
 *
 * <pre>
 *   mu <- g                                 on the first call (the original code; Algorithm 1 says zeros)
 *   mu <- alphaG * mu + (1 - alphaG) * g    afterwards
 *   g  <- g + lambda * mu                   what the optimizer receives
 * </pre>
 *
 * The original keeps one EMA per parameter tensor; because the filter is element-wise, one EMA over the
 * network's flat gradient vector is exactly the same thing. Applied between backprop and the optimizer
 * step, once per network; state lives as long as the run (reset by creating a new instance).
 */
public final class GrokfastEma {

    private final double alpha;
    private final double lambda;
    private float[] mu;

    /**
     * @param alpha  EMA momentum alpha_g in [0, 1) (paper: 0.98)
     * @param lambda amplification factor lambda >= 0 (paper: 2.0)
     */
    public GrokfastEma(double alpha, double lambda) {
        if (!(alpha >= 0 && alpha < 1)) {
            throw new IllegalArgumentException("grokfastAlpha must be in [0, 1), got " + alpha);
        }
        if (!(lambda >= 0)) {
            throw new IllegalArgumentException("grokfastLambda must be >= 0, got " + lambda);
        }
        this.alpha = alpha;
        this.lambda = lambda;
    }

    /** Filters {@code g} in place: on return it holds {@code g + lambda * mu}. */
    public void apply(float[] g) {
        if (mu == null) {
            mu = g.clone();
        } else {
            if (mu.length != g.length) {
                throw new IllegalArgumentException("gradient length changed from " + mu.length + " to " + g.length);
            }
            float a = (float) alpha;
            float b = (float) (1 - alpha);
            for (int i = 0; i < g.length; i++) {
                mu[i] = a * mu[i] + b * g[i];
            }
        }
        float l = (float) lambda;
        for (int i = 0; i < g.length; i++) {
            g[i] += l * mu[i];
        }
    }

    /** The current EMA (a copy), or {@code null} before the first call. */
    public float[] ema() {
        return mu == null ? null : mu.clone();
    }

    /** Restores the EMA from a checkpoint ({@code null} = not started). */
    public void restore(float[] ema) {
        this.mu = ema == null ? null : ema.clone();
    }
}
