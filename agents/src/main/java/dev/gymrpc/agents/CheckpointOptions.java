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
 * @param includeReplayBuffer also save SAC's replay buffer (large: LunarLander preset ~ 80 MB); without
 *                            it a resumed SAC run refills the buffer with fresh experience
 */
public record CheckpointOptions(Path file, long everyUpdates, boolean includeReplayBuffer) {

    public CheckpointOptions {
        if (file == null) {
            throw new IllegalArgumentException("checkpoint file is required");
        }
        if (everyUpdates < 0) {
            throw new IllegalArgumentException("everyUpdates must be >= 0 (0 = only at the end), got " + everyUpdates);
        }
    }
}
