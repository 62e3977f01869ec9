package dev.gymrpc.server.jobs;

import java.time.Duration;

/**
 * Limits of the agent service's job machinery. The defaults live here only.
 *
 * @param workers       jobs trained at once; further jobs wait QUEUED. Each job uses about one core
 *                      (ND4J ops are small), so more workers than cores only slows every job down.
 * @param maxQueued     jobs that may wait for a worker; one more fails with RESOURCE_EXHAUSTED
 * @param stopGrace     on server stop, how long running jobs get to reach a step boundary, write their
 *                      state and stop (they are marked INTERRUPTED either way)
 */
public record JobsConfig(int workers, int maxQueued, Duration stopGrace) {

    public static final int DEFAULT_WORKERS = 1;
    public static final int DEFAULT_MAX_QUEUED = 16;
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(20);

    public JobsConfig {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        }
        if (maxQueued < 0) {
            throw new IllegalArgumentException("max queued jobs must be >= 0, got " + maxQueued);
        }
        if (stopGrace.isNegative()) {
            throw new IllegalArgumentException("stop grace must be >= 0, got " + stopGrace);
        }
    }

    public static JobsConfig defaults() {
        return new JobsConfig(DEFAULT_WORKERS, DEFAULT_MAX_QUEUED, DEFAULT_STOP_GRACE);
    }

    public JobsConfig withWorkers(int n) {
        return new JobsConfig(n, maxQueued, stopGrace);
    }

    public JobsConfig withMaxQueued(int n) {
        return new JobsConfig(workers, n, stopGrace);
    }

    public JobsConfig withStopGrace(Duration d) {
        return new JobsConfig(workers, maxQueued, d);
    }
}
