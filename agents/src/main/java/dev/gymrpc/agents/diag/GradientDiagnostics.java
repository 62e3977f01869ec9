package dev.gymrpc.agents.diag;

import dev.gymrpc.agents.config.InvalidConfigException;

/**
 * When and how much to measure gradient quality ({@link GradientQuality}); a per-run option of every
 * algorithm (carried by {@code TrainRequest}, not by an algorithm's config).
 *
 * @param every       measure before every {@code every}-th update (updates 1-based: update {@code k * every});
 *                    0 = off (the default)
 * @param minibatches M, the number of independent minibatch gradients per measurement, >= 2
 * @param largeBatch  L, the large-batch ("true") gradient is the mean of L further independent minibatch
 *                    gradients (an L x batch-size sample), >= 1
 */
public record GradientDiagnostics(int every, int minibatches, int largeBatch) {

    public static final int DEFAULT_MINIBATCHES = 8;
    public static final int DEFAULT_LARGE_BATCH = 16;

    /** Off. */
    public static final GradientDiagnostics OFF = new GradientDiagnostics(0, DEFAULT_MINIBATCHES, DEFAULT_LARGE_BATCH);

    public GradientDiagnostics {
        if (every < 0) {
            throw new InvalidConfigException("grad_diagnostics.every", "must be >= 0 (0 = off), got " + every);
        }
        if (minibatches < 2) {
            throw new InvalidConfigException("grad_diagnostics.minibatches", "must be >= 2, got " + minibatches);
        }
        if (largeBatch < 1) {
            throw new InvalidConfigException("grad_diagnostics.large_batch", "must be >= 1, got " + largeBatch);
        }
    }

    /** Every {@code every} updates with the default M and L. */
    public static GradientDiagnostics every(int every) {
        return new GradientDiagnostics(every, DEFAULT_MINIBATCHES, DEFAULT_LARGE_BATCH);
    }

    public boolean on() {
        return every > 0;
    }

    /** Whether the update with 1-based index {@code update} is measured. */
    public boolean due(long update) {
        return every > 0 && update % every == 0;
    }

    /**
     * Parses {@code EVERY[,M[,L]]} (the CLI and benchmark syntax), e.g. {@code 25} or {@code 25,8,16};
     * {@code 0} or {@code off} is off.
     */
    public static GradientDiagnostics parse(String s) {
        String t = s.trim();
        if (t.isEmpty() || t.equalsIgnoreCase("off")) {
            return OFF;
        }
        String[] p = t.split(",");
        if (p.length > 3) {
            throw new InvalidConfigException("grad_diagnostics", "expected EVERY[,M[,L]], got '" + s + "'");
        }
        try {
            int every = Integer.parseInt(p[0].trim());
            int m = p.length > 1 ? Integer.parseInt(p[1].trim()) : DEFAULT_MINIBATCHES;
            int l = p.length > 2 ? Integer.parseInt(p[2].trim()) : DEFAULT_LARGE_BATCH;
            return new GradientDiagnostics(every, m, l);
        } catch (NumberFormatException e) {
            throw new InvalidConfigException("grad_diagnostics", "expected EVERY[,M[,L]] of integers, got '" + s + "'");
        }
    }

    @Override
    public String toString() {
        return every == 0 ? "off" : every + "," + minibatches + "," + largeBatch;
    }
}
