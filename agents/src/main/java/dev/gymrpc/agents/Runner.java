package dev.gymrpc.agents;

import dev.gymrpc.agents.io.StateBag;

/**
 * One run of an {@link Algorithm}: its networks, optimizers, buffers and generators. The
 * {@link RunContext} it was made with holds the counters, budget, cancellation, evaluation and
 * divergence check, and is checkpointed by {@link Trainer}.
 */
public interface Runner {

    /** Trains until {@link RunContext#done()}; returns the final policy. */
    Policy run();

    /** The current policy (weights copied): what a periodic evaluation or a cancelled run returns. */
    Policy policy();

    /**
     * Writes the algorithm's whole state (networks, optimizers, temperature, augmentation state,
     * generators; the replay buffer if {@code options} allow its size) into {@code bag}.
     */
    void save(StateBag bag, CheckpointOptions options);

    /** Restores what {@link #save} wrote. */
    void restore(StateBag bag);
}
