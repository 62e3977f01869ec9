package dev.gymrpc.agents;

/**
 * Training produced a non-finite loss or parameter, or a gradient norm above the divergence limit. The
 * message names the quantity and the update; lowering learning rates, enabling {@code gradClip} or
 * {@code weightDecay} (seed 002) are the usual fixes.
 */
public final class TrainingDivergedException extends RuntimeException {

    private final String quantity;
    private final long update;

    public TrainingDivergedException(String quantity, double value, long update) {
        super("training diverged at update " + update + ": " + quantity + " = " + value
                + "; try lower learning rates, gradClip > 0 or weightDecay > 0");
        this.quantity = quantity;
        this.update = update;
    }

    /** The metric or parameter set that went bad, e.g. {@code losses/qf1_loss} or {@code params/actor}. */
    public String quantity() {
        return quantity;
    }

    public long update() {
        return update;
    }
}
