package dev.gymrpc.server.agent;

/**
 * A run stopped because it diverged: a loss, gradient or return became NaN or infinite, or a gradient
 * norm passed the spec's {@code abort_grad_norm}. The job fails with this message as its reason rather
 * than burning its budget on garbage or crashing the server.
 */
public final class TrainingDivergedException extends RuntimeException {

    private final long globalStep;

    public TrainingDivergedException(String message, long globalStep) {
        super(message);
        this.globalStep = globalStep;
    }

    public TrainingDivergedException(String message, long globalStep, Throwable cause) {
        super(message, cause);
        this.globalStep = globalStep;
    }

    /** Environment step at which divergence was detected. */
    public long globalStep() {
        return globalStep;
    }
}
