package dev.gymrpc.agents.aug;

/**
 * GrAdE, the gradient-adaptive entropy controller of the main paper (Nilabh and Sinha Choudhury, sec. 3; the authors'
 * {@code grade.py}). It scales the entropy bonus by how large the actor's gradients are now compared
 * with the largest they have been:
 *
 * <pre>
 *   g      = sum over actor parameter tensors of ||grad_tensor||_2     (not one global norm)
 *   mu     = g on the first observation, then beta * mu + (1 - beta) * g   (the paper's minus is a typo)
 *   mu_max = max(mu_max, mu)
 *   r      = mu / (mu_max + 1e-8)
 *   bonus  = kappa * r * H(pi)
 * </pre>
 *
 * The bonus enters the loss before backprop, so the ratio used in an update comes from the previous
 * update's gradients: {@link #ratio()} is 0 until {@link #observe} has been called once. With Grokfast on,
 * callers pass the filtered gradients.
 */
public final class Grade {

    private final double beta;
    private double mu = Double.NaN;
    private double muMax;
    private double ratio;

    /** @param beta EMA factor in [0, 1) (paper: 0.9) */
    public Grade(double beta) {
        if (!(beta >= 0 && beta < 1)) {
            throw new IllegalArgumentException("gradeBeta must be in [0, 1), got " + beta);
        }
        this.beta = beta;
    }

    /** Sum of per-tensor L2 norms of {@code g}, tensor {@code k} spanning {@code [offsets[k], offsets[k+1])}. */
    public static double sumOfTensorNorms(float[] g, int[] offsets) {
        double total = 0;
        for (int k = 0; k + 1 < offsets.length; k++) {
            double s = 0;
            for (int i = offsets[k]; i < offsets[k + 1]; i++) {
                s += (double) g[i] * g[i];
            }
            total += Math.sqrt(s);
        }
        return total;
    }

    /** Records the actor's gradient after an update; returns the new ratio. */
    public double observe(float[] actorGrad, int[] tensorOffsets) {
        return observeNorm(sumOfTensorNorms(actorGrad, tensorOffsets));
    }

    /** Records a precomputed gradient magnitude {@code g}; returns the new ratio. */
    public double observeNorm(double g) {
        mu = Double.isNaN(mu) ? g : beta * mu + (1 - beta) * g;
        muMax = Math.max(muMax, mu);
        ratio = mu / (muMax + 1e-8);
        return ratio;
    }

    /** r for the next update (0 before the first observation). */
    public double ratio() {
        return ratio;
    }

    /** The smoothed gradient magnitude mu (NaN before the first observation). */
    public double mu() {
        return mu;
    }

    public double muMax() {
        return muMax;
    }

    public void save(dev.gymrpc.agents.io.StateBag bag, String prefix) {
        bag.put(prefix + ".mu", mu).put(prefix + ".mu_max", muMax).put(prefix + ".ratio", ratio);
    }

    public void restore(dev.gymrpc.agents.io.StateBag bag, String prefix) {
        restore(new double[] {bag.getDouble(prefix + ".mu"), bag.getDouble(prefix + ".mu_max"), bag.getDouble(prefix + ".ratio")});
    }

    /** State for checkpoints: {mu, muMax, ratio}. */
    public double[] state() {
        return new double[] {mu, muMax, ratio};
    }

    public void restore(double[] s) {
        mu = s[0];
        muMax = s[1];
        ratio = s[2];
    }
}
