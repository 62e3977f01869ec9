package dev.gymrpc.envs;

/** How a {@link VectorEnv} resets sub-envs whose episode ended, as Gymnasium 1.x's {@code AutoresetMode}. */
public enum AutoresetMode {
    /**
     * Gymnasium's default: the step after an episode ends ignores that sub-env's action, resets it and
     * returns the reset observation with reward 0 and both flags false.
     */
    NEXT_STEP,
    /**
     * Reset in the same step: the returned observation is the reset one; the final observation and
     * info are in that sub-env's info under {@code final_obs} and {@code final_info}.
     */
    SAME_STEP,
    /** No automatic reset; the caller resets ended sub-envs with a reset mask. */
    DISABLED
}
