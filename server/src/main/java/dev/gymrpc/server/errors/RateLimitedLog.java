package dev.gymrpc.server.errors;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * A log whose lines are rationed: at most {@code linesPerWindow} lines per {@code windowNanos}; the rest
 * are counted and dropped, and the first line of a later window says how many were dropped. A client
 * that floods the server with bad requests can therefore add at most {@code linesPerWindow} lines per
 * window to the log, however fast it sends, and real errors stay visible between them.
 *
 * <p>One limiter is one budget: the rejected-request lines of every rpc share one, so a flood on one rpc
 * cannot be hidden behind another's budget. Server faults have their own (see {@link ErrorTranslator}).
 */
public final class RateLimitedLog {

    private final Logger log;
    private final Level level;
    private final int linesPerWindow;
    private final long windowNanos;
    private final LongSupplier clock;
    // Guarded by this:
    private long windowStart;
    private int used;
    private long dropped;

    public RateLimitedLog(Logger log, Level level, int linesPerWindow, long windowNanos) {
        this(log, level, linesPerWindow, windowNanos, System::nanoTime);
    }

    RateLimitedLog(Logger log, Level level, int linesPerWindow, long windowNanos, LongSupplier clock) {
        if (linesPerWindow < 1 || windowNanos < 1) {
            throw new IllegalArgumentException("a rate-limited log needs >= 1 line per window of >= 1 ns");
        }
        this.log = log;
        this.level = level;
        this.linesPerWindow = linesPerWindow;
        this.windowNanos = windowNanos;
        this.clock = clock;
        this.windowStart = clock.getAsLong();
    }

    /**
     * Logs {@code format} with {@code args} (slf4j style; a trailing Throwable is printed with its stack
     * trace) if this window's budget allows, else counts it as dropped. Returns whether it was logged.
     */
    public boolean log(String format, Object... args) {
        long droppedBefore;
        synchronized (this) {
            long now = clock.getAsLong();
            if (now - windowStart >= windowNanos) {
                windowStart = now;
                used = 0;
            }
            if (used >= linesPerWindow) {
                dropped++;
                return false;
            }
            used++;
            droppedBefore = dropped;
            dropped = 0;
        }
        String f = droppedBefore == 0 ? format
                : format + " [" + droppedBefore + " similar line(s) dropped by the log rate limit]";
        switch (level) {
            case ERROR -> log.error(f, args);
            case WARN -> log.warn(f, args);
            case INFO -> log.info(f, args);
            case DEBUG -> log.debug(f, args);
            case TRACE -> log.trace(f, args);
        }
        return true;
    }

    /** Lines dropped since the last logged one (for tests and stats). */
    public synchronized long dropped() {
        return dropped;
    }
}
