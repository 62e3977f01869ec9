package dev.gymrpc.client;

import dev.gymrpc.proto.v1.EnvServiceGrpc;
import dev.gymrpc.proto.v1.SessionRequest;
import dev.gymrpc.proto.v1.SessionResponse;
import dev.gymrpc.proto.wire.ErrorReasons;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Blocking request/response calls over one {@code Session} stream: each {@link #call} sends a request
 * and waits for its response. A stream skips the per-call HTTP/2 stream setup of unary calls, so a
 * step's round trip is shorter (see {@code gymrpc bench rpc}). Per-request errors come back as a
 * {@link StatusRuntimeException} carrying the same code, message and reason trailers as the unary
 * rpcs, so callers handle both transports alike. Envs made on the stream are closed by the server when
 * the stream ends ({@link #close}). Calls are serialised (one request in flight); for pipelining,
 * use the async stub directly. The caller waits for each response with {@link ResponseWait}: it spins
 * briefly before blocking, which saves a thread wake-up on every step.
 */
public final class SessionClient implements AutoCloseable {

    private static final Object END = new Object();

    private final LinkedBlockingQueue<Object> responses = new LinkedBlockingQueue<>();
    private final StreamObserver<SessionRequest> requests;
    private final Duration timeout;
    private long nextId = 1;
    private volatile Throwable broken;
    private boolean closed;

    /** Opens a stream on {@code channel}; each call waits at most {@code timeout} for its response. */
    public SessionClient(Channel channel, Duration timeout) {
        this.timeout = timeout;
        // Responses are enqueued on the transport thread (ResponseWait.DIRECT): one thread hand-off fewer.
        this.requests = EnvServiceGrpc.newStub(channel).withExecutor(ResponseWait.DIRECT).session(new StreamObserver<>() {
            @Override
            public void onNext(SessionResponse value) {
                responses.add(value);
            }

            @Override
            public void onError(Throwable t) {
                broken = t;
                responses.add(END);
            }

            @Override
            public void onCompleted() {
                responses.add(END);
            }
        });
    }

    /**
     * Sends {@code request} (its request_id is set here) and returns the response.
     *
     * @throws StatusRuntimeException when the request failed (the stream stays usable) or the stream
     *                                broke (it does not)
     */
    public synchronized SessionResponse call(SessionRequest.Builder request) {
        if (closed) {
            throw Status.FAILED_PRECONDITION.withDescription("the session stream is closed").asRuntimeException();
        }
        if (broken != null) {
            throw Status.fromThrowable(broken).asRuntimeException();
        }
        long id = nextId++;
        requests.onNext(request.setRequestId(id).build());
        Object r;
        try {
            r = ResponseWait.poll(responses, timeout.toNanos(), ResponseWait.spinNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Status.CANCELLED.withDescription("interrupted while waiting for a response").asRuntimeException();
        }
        if (r == null) {
            broken = Status.DEADLINE_EXCEEDED.withDescription("no response within " + timeout).asRuntimeException();
            requests.onError(broken);
            throw (StatusRuntimeException) broken;
        }
        if (r == END) {
            throw broken != null ? Status.fromThrowable(broken).asRuntimeException()
                    : Status.UNAVAILABLE.withDescription("the server ended the session stream").asRuntimeException();
        }
        SessionResponse response = (SessionResponse) r;
        if (response.getRequestId() != id) {
            throw Status.INTERNAL.withDescription("response " + response.getRequestId() + " answers no pending request "
                    + "(expected " + id + ")").asRuntimeException();
        }
        if (response.hasError()) {
            throw toException(response.getError());
        }
        return response;
    }

    /** A per-request error as the exception a unary call would have thrown. */
    static StatusRuntimeException toException(dev.gymrpc.proto.v1.Status error) {
        Metadata trailers = new Metadata();
        if (!error.getReason().isEmpty()) {
            trailers.put(ErrorReasons.REASON_KEY, error.getReason());
        }
        String option = error.getMetadataMap().get("option");
        if (option != null) {
            trailers.put(ErrorReasons.OPTION_KEY, option);
        }
        return Status.fromCodeValue(error.getCode()).withDescription(error.getMessage()).asRuntimeException(trailers);
    }

    /** Ends the stream; the server closes the envs made on it. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (broken == null) {
                requests.onCompleted();
            }
        }
    }
}
