package dev.gymrpc.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.client.ResponseWait;
import dev.gymrpc.proto.v1.EnvServiceGrpc;
import dev.gymrpc.proto.v1.Int64Array;
import dev.gymrpc.proto.v1.StepRequest;
import dev.gymrpc.proto.v1.StepResponse;
import dev.gymrpc.proto.v1.Tensor;
import dev.gymrpc.proto.wire.ErrorReasons;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Java client's spin-then-block wait ({@link ResponseWait}) keeps the blocking stub's contract:
 * the response or the call's {@link StatusRuntimeException} with its trailers, the deadline, and
 * cancellation of the call when the waiting thread is interrupted. The server here is a scripted
 * EnvService: action 0 answers at once, action 1 fails with a reason trailer, action 2 never answers
 * (until the call is cancelled) and action 3 answers after 50 ms (longer than any spin budget).
 */
class ResponseWaitTest {

    private Server server;
    private ManagedChannel channel;
    private final CountDownLatch cancelled = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(new EnvServiceGrpc.EnvServiceImplBase() {
            @Override
            public void step(StepRequest request, StreamObserver<StepResponse> out) {
                long action = request.getAction().getInt64S().getValues(0);
                if (action == 0) {
                    out.onNext(StepResponse.newBuilder().setReward(42).build());
                    out.onCompleted();
                } else if (action == 1) {
                    Metadata trailers = new Metadata();
                    trailers.put(ErrorReasons.REASON_KEY, ErrorReasons.INVALID_ACTION);
                    out.onError(Status.INVALID_ARGUMENT.withDescription("action 1 is scripted to fail")
                            .asRuntimeException(trailers));
                } else if (action == 2) {
                    Context.current().addListener(c -> cancelled.countDown(), Runnable::run);
                } else {
                    new Thread(() -> {
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException ignored) {
                            Thread.currentThread().interrupt();
                        }
                        out.onNext(StepResponse.newBuilder().setReward(3).build());
                        out.onCompleted();
                    }).start();
                }
            }
        }).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static StepRequest action(long a) {
        return StepRequest.newBuilder().setHandle("h")
                .setAction(Tensor.newBuilder().setInt64S(Int64Array.newBuilder().addValues(a))).build();
    }

    private StepResponse step(long a, Duration timeout, long spinNanos) {
        return ResponseWait.unary(channel, EnvServiceGrpc.getStepMethod(), action(a), timeout, spinNanos);
    }

    @Test
    void returnsTheResponseWithAndWithoutSpinning() {
        assertEquals(42, step(0, Duration.ofSeconds(5), 0).getReward());
        assertEquals(42, step(0, Duration.ofSeconds(5), 1_000_000).getReward());
        assertEquals(42, ResponseWait.unary(channel, EnvServiceGrpc.getStepMethod(), action(0), Duration.ofSeconds(5))
                .getReward());
    }

    @Test
    void blocksWhenTheResponseOutlastsTheSpinBudget() {
        assertEquals(3, step(3, Duration.ofSeconds(5), 100_000).getReward());
    }

    @Test
    void failuresKeepTheirStatusAndTrailers() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> step(1, Duration.ofSeconds(5), 0));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("action 1 is scripted to fail", e.getStatus().getDescription());
        assertEquals(ErrorReasons.INVALID_ACTION, e.getTrailers().get(ErrorReasons.REASON_KEY));
    }

    @Test
    void aServerThatNeverAnswersEndsInDeadlineExceeded() throws InterruptedException {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> step(2, Duration.ofMillis(300), 100_000));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        assertTrue(cancelled.await(5, TimeUnit.SECONDS), "the server-side call was not cancelled");
    }

    @Test
    void interruptingTheWaiterCancelsTheCall() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                step(2, Duration.ofSeconds(30), 0);
            } catch (Throwable t) {
                thrown.set(t);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        caller.start();
        Thread.sleep(100);
        caller.interrupt();
        caller.join(5000);
        StatusRuntimeException e = (StatusRuntimeException) thrown.get();
        assertEquals(Status.Code.CANCELLED, e.getStatus().getCode());
        assertTrue(stillInterrupted.get(), "the interrupt flag must be restored");
        assertTrue(cancelled.await(5, TimeUnit.SECONDS), "the server-side call was not cancelled");
    }

    @Test
    void spinBudgetComesFromTheSystemPropertyOrTheDefault() {
        String p = System.getProperty("gymrpc.client.spinMicros");
        long expected = p != null ? Long.parseLong(p) * 1000
                : Runtime.getRuntime().availableProcessors() > 1 ? ResponseWait.DEFAULT_SPIN.toNanos() : 0;
        assertEquals(expected, ResponseWait.spinNanos());
    }

    @Test
    void pollSpinsThenBlocksThenGivesUp() throws InterruptedException {
        ArrayBlockingQueue<String> q = new ArrayBlockingQueue<>(4);
        q.add("ready");
        assertSame("ready", ResponseWait.poll(q, 1_000_000, 100_000));
        assertNull(ResponseWait.poll(q, 20_000_000, 100_000));
        new Thread(() -> {
            try {
                Thread.sleep(30);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            q.add("late");
        }).start();
        assertSame("late", ResponseWait.poll(q, TimeUnit.SECONDS.toNanos(5), 100_000));
    }
}
