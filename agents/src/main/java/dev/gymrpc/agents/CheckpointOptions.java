package dev.gymrpc.agents;

import java.nio.file.Path;

/**
 * Where and how often to checkpoint a run. A checkpoint holds the full agent state (networks, optimizer
 * moments, temperature, Grokfast/GrAdE state, running max norms), the run's counters and random
 * generator states, the request that started it, and optionally the replay buffer. It is written every
 * {@code everyUpdates} updates (0 = only at the end) and when the run ends, atomically.
 *
 * @param file                checkpoint file (a zip); replaced on each save
 * @param everyUpdates        save every this many updates, >= 0
 * @param maxReplayTransitions an off-policy algorithm saves its replay buffer when its capacity is at most
 *                             this (FourRooms' 1e4, not LunarLander's 1e6 ~ 80 MB); without it a resumed
 *                             run refills the buffer with fresh experience
 */
public record CheckpointOptions(Path file, long everyUpdates, int maxReplayTransitions) {

    /** Replay buffers up to this many transitions are checkpointed by default. */
    public static final int DEFAULT_MAX_REPLAY = 100_000;

    /** Whether a replay buffer of {@code capacity} transitions is saved. */
    public boolean includesReplay(int capacity) {
        return capacity <= maxReplayTransitions;
    }

    public CheckpointOptions {
        if (file == null) {
            throw new IllegalArgumentException("checkpoint file is required");
        }
        if (everyUpdates < 0) {
            throw new IllegalArgumentException("everyUpdates must be >= 0 (0 = only at the end), got " + everyUpdates);
        }
    }
}
