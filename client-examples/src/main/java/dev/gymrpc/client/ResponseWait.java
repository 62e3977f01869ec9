package dev.gymrpc.client;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * How a client thread waits for a response: it spins briefly, then yields, and blocks only when the
 * response takes longer than a budget.
 *
 * <p>Why: an env step is a round trip of tens of microseconds, and a blocked thread is woken by the OS
 * scheduler, which on a small (virtual) machine costs about as much again. gRPC's blocking stub parks the
 * caller at once, so every step pays that wake-up: on this project's 2-core machine a unary Step took
 * p50 ~140 us with the blocking stub and ~65 us with a caller that spins until the response lands
 * ({@code gymrpc bench rpc} prints both). The wait is bounded ({@link #DEFAULT_SPIN}, or the
 * {@code gymrpc.client.spinMicros} system property; 0 turns it off), so a slow call (make, render, a
 * large vector step) costs at most that much extra CPU before the thread blocks as usual; after the
 * first 100 us the waiting thread yields on each turn, so it never keeps a core from a thread that has
 * work (under load that costs some latency: p90 ~85 us spinning against ~130 us yielding, measured at
 * load average 2.5). On a single processor spinning cannot help (the responder needs the CPU), so the
 * default there is 0.
 *
 * <p>Responses are handed over on the transport thread ({@link #DIRECT}): the callbacks only complete a
 * future or enqueue a message, and skipping the channel's executor saves another thread hand-off.
 */
public final class ResponseWait {

    /**
     * Wait budget before blocking unless {@code gymrpc.client.spinMicros} says otherwise: several times a
     * loopback step's p99. With 200 us, a machine whose other cores were busy blocked on 5-8% of steps
     * and each paid a wake-up of 100-250 us (p99 ~350 us); with 1 ms, p99 ~120 us.
     */
    public static final Duration DEFAULT_SPIN = Duration.ofMillis(1);

    /** Runs callbacks on the thread that completes them (the transport thread). */
    static final Executor DIRECT = MoreExecutors.directExecutor();

    private static final long SPIN_NANOS = spinNanosFromProperty();

    /** How long a wait spins on the CPU before it starts yielding (see {@link #pause}). */
    private static final long PURE_SPIN_NANOS = 100_000;

    private ResponseWait() {
    }

    private static long spinNanosFromProperty() {
        String p = System.getProperty("gymrpc.client.spinMicros");
        if (p != null) {
            try {
                return Math.max(0, Long.parseLong(p.trim())) * 1000;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("system property gymrpc.client.spinMicros must be a whole number "
                        + "of microseconds (0 turns spinning off); got '" + p + "'", e);
            }
        }
        return Runtime.getRuntime().availableProcessors() > 1 ? DEFAULT_SPIN.toNanos() : 0;
    }

    /** The spin budget in force, in nanoseconds. */
    public static long spinNanos() {
        return SPIN_NANOS;
    }

    /**
     * One wait step: a CPU spin hint for the first {@link #PURE_SPIN_NANOS}, then a yield, so that when
     * more threads are runnable than there are cores (the transport threads among them) a waiting
     * caller gives way instead of holding a core.
     */
    private static void pause(long elapsedNanos) {
        if (elapsedNanos < PURE_SPIN_NANOS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /** Spins until {@code ready} holds or {@code spinNanos} pass; returns whether it holds. */
    static boolean spinUntil(BooleanSupplier ready, long spinNanos) {
        if (ready.getAsBoolean()) {
            return true;
        }
        if (spinNanos <= 0) {
            return false;
        }
        long start = System.nanoTime();
        long elapsed;
        do {
            pause(elapsed = System.nanoTime() - start);
            if (ready.getAsBoolean()) {
                return true;
            }
        } while (elapsed < spinNanos);
        return false;
    }

    /**
     * A unary call, as the blocking stub makes it (same deadline, same {@link StatusRuntimeException} on
     * failure, cancelled if the thread is interrupted), but waiting with the spin-then-block strategy.
     */
    public static <Q, R> R unary(Channel channel, MethodDescriptor<Q, R> method, Q request, Duration timeout) {
        return unary(channel, method, request, timeout, SPIN_NANOS);
    }

    /** As {@link #unary(Channel, MethodDescriptor, Object, Duration)} with an explicit spin budget. */
    public static <Q, R> R unary(Channel channel, MethodDescriptor<Q, R> method, Q request, Duration timeout,
                                 long spinNanos) {
        ClientCall<Q, R> call = channel.newCall(method, CallOptions.DEFAULT
                .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS).withExecutor(DIRECT));
        ListenableFuture<R> future = ClientCalls.futureUnaryCall(call, request);
        spinUntil(future::isDone, spinNanos);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw Status.CANCELLED.withDescription("interrupted while waiting for " + method.getBareMethodName())
                    .withCause(e).asRuntimeException();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StatusRuntimeException sre) {
                // Rethrown from this thread, so the stack trace shows the caller.
                throw new StatusRuntimeException(sre.getStatus(), sre.getTrailers());
            }
            throw Status.fromThrowable(cause).asRuntimeException();
        } catch (CancellationException e) {
            throw Status.CANCELLED.withDescription(method.getBareMethodName() + " was cancelled").withCause(e)
                    .asRuntimeException();
        }
    }

    /**
     * Takes the head of {@code queue}, spinning up to {@code spinNanos} before blocking for the rest of
     * {@code timeoutNanos}; null if nothing arrived in time.
     */
    public static <T> T poll(BlockingQueue<T> queue, long timeoutNanos, long spinNanos) throws InterruptedException {
        long start = System.nanoTime();
        if (spinUntil(() -> !queue.isEmpty(), spinNanos)) {
            T head = queue.poll();
            if (head != null) {
                return head;
            }
        }
        return queue.poll(Math.max(0, timeoutNanos - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
    }
}
