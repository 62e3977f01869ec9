package dev.gymrpc.agents.aug;

import dev.gymrpc.agents.io.StateBag;

/**
 * SAC's entropy temperature alpha, learned as log alpha by Adam toward a target entropy (Haarnoja et al.
 * 2018, "Soft Actor-Critic Algorithms and Applications", sec. 5): shared by every SAC variant, which
 * only computes {@code dJ/d(log alpha)} for its action space. Adam on one scalar with torch.optim.Adam's
 * defaults (betas 0.9, 0.999, eps 1e-8), and a learning-rate fraction for linear annealing.
 */
public final class Temperature {

    private final double lr;
    private double fraction = 1;
    private double logAlpha;
    private double m;
    private double v;
    private int t;

    public Temperature(double initialAlpha, double lr) {
        this.logAlpha = Math.log(initialAlpha);
        this.lr = lr;
    }

    /** The current alpha. */
    public double alpha() {
        return Math.exp(logAlpha);
    }

    /** Scales the learning rate (linear annealing); 1 = as configured. */
    public void setLearningRateFraction(double f) {
        this.fraction = f;
    }

    /** One Adam step on log alpha, given the derivative of the temperature loss with respect to it. */
    public void step(double grad) {
        t++;
        m = 0.9 * m + 0.1 * grad;
        v = 0.999 * v + 0.001 * grad * grad;
        double mh = m / (1 - Math.pow(0.9, t));
        double vh = v / (1 - Math.pow(0.999, t));
        logAlpha = logAlpha - lr * fraction * mh / (Math.sqrt(vh) + 1e-8);
    }

    /** Writes log alpha and the optimizer's moments under {@code prefix}. */
    public void save(StateBag bag, String prefix) {
        bag.put(prefix + ".log_alpha", logAlpha).put(prefix + ".alpha_adam_m", m).put(prefix + ".alpha_adam_v", v)
                .put(prefix + ".alpha_adam_t", t);
    }

    /** Restores what {@link #save} wrote. */
    public void restore(StateBag bag, String prefix) {
        logAlpha = bag.getDouble(prefix + ".log_alpha");
        m = bag.getDouble(prefix + ".alpha_adam_m");
        v = bag.getDouble(prefix + ".alpha_adam_v");
        t = bag.getInt(prefix + ".alpha_adam_t");
    }
}
