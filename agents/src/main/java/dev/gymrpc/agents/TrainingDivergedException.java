package dev.gymrpc.agents;

/**
 * A run diverged: a loss, gradient, parameter or return became non-finite, or a gradient norm passed the
 * request's {@code abortGradNorm}. The one divergence error of the project: the message names the
 * quantity, its value, the limit, the update and the env step, and the usual fixes (lower learning
 * rates, {@code gradClip} or {@code weightDecay}, see "Exploding gradients in SAC" in docs).
 */
public final class TrainingDivergedException extends RuntimeException {

    private final String quantity;
    private final double value;
    private final long update;
    private final long envStep;

    public TrainingDivergedException(String quantity, double value, double limit, long update, long envStep) {
        super("training diverged at update " + update + " (env step " + envStep + "): " + quantity + " = " + value
                + (Double.isFinite(value) && limit > 0 ? " > abort_grad_norm " + limit : "")
                + "; try lower learning rates, grad_clip > 0 or weight_decay > 0");
        this.quantity = quantity;
        this.value = value;
        this.update = update;
        this.envStep = envStep;
    }

    /** The metric, return or parameter set that went bad, e.g. {@code losses/qf1_loss} or {@code params/actor}. */
    public String quantity() {
        return quantity;
    }

    public double value() {
        return value;
    }

    /** Updates done when it was detected. */
    public long update() {
        return update;
    }

    /** Env steps done when it was detected. */
    public long envStep() {
        return envStep;
    }
}
