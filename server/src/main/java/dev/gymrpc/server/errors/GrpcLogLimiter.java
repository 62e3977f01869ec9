package dev.gymrpc.server.errors;

import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Rations what grpc-java itself logs (java.util.logging) about a client's bad traffic. grpc-java refuses
 * a message larger than the server's limit in the transport, before any gymrpc code runs, and logs
 * each refusal at WARNING with a stack trace ({@code NettyServerStream ... Exception processing message});
 * a client could fill the disk with them. This filter lets through at most 20 such records per 10 s
 * per logger, turns a status exception's stack trace into one line (the trace only shows the deframer),
 * and says how many were dropped. Other records of those loggers (and of every other logger) pass
 * unchanged, subject to the same budget.
 */
public final class GrpcLogLimiter {

    /** The grpc-java loggers that report per-request client faults (shaded and unshaded Netty, core). */
    private static final List<String> LOGGERS = List.of(
            "io.grpc.netty.shaded.io.grpc.netty.NettyServerStream",
            "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler",
            "io.grpc.netty.NettyServerStream",
            "io.grpc.netty.NettyServerHandler",
            "io.grpc.internal.ServerImpl",
            "io.grpc.internal.SerializingExecutor");

    /** Strong references: java.util.logging holds loggers weakly, and a collected one loses its filter. */
    private static List<Logger> installed;

    private GrpcLogLimiter() {
    }

    /** Installs the filter on grpc-java's loggers (once per JVM; later calls do nothing). */
    public static synchronized void install() {
        if (installed != null) {
            return;
        }
        installed = LOGGERS.stream().map(name -> {
            Logger l = Logger.getLogger(name);
            l.setFilter(new Limit(l.getFilter()));
            return l;
        }).toList();
    }

    private static final class Limit implements Filter {
        private final Filter previous;
        private final long windowNanos = TimeUnit.SECONDS.toNanos(10);
        private final int perWindow = 20;
        // Guarded by this:
        private long windowStart = System.nanoTime();
        private int used;
        private long dropped;

        Limit(Filter previous) {
            this.previous = previous;
        }

        @Override
        public boolean isLoggable(LogRecord r) {
            if (previous != null && !previous.isLoggable(r)) {
                return false;
            }
            if (r.getLevel().intValue() < Level.WARNING.intValue()) {
                return true;
            }
            long droppedBefore;
            synchronized (this) {
                long now = System.nanoTime();
                if (now - windowStart >= windowNanos) {
                    windowStart = now;
                    used = 0;
                }
                if (used >= perWindow) {
                    dropped++;
                    return false;
                }
                used++;
                droppedBefore = dropped;
                dropped = 0;
            }
            Throwable t = r.getThrown();
            if (t instanceof StatusRuntimeException || t instanceof StatusException) {
                r.setMessage(r.getMessage() + ": " + t);
                r.setThrown(null);
            }
            if (droppedBefore > 0) {
                r.setMessage(r.getMessage() + " [" + droppedBefore + " similar record(s) dropped by the log rate limit]");
            }
            return true;
        }
    }
}
