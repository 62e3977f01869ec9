package dev.gymrpc.envs;

/** {@code step} was called before the first {@code reset}, or after the episode ended without a reset. */
public class ResetNeededException extends IllegalStateException {
    public ResetNeededException(String message) {
        super(message);
    }
}
