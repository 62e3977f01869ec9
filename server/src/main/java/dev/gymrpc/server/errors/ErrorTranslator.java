package dev.gymrpc.server.errors;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import dev.gymrpc.envs.InvalidActionException;
import dev.gymrpc.envs.InvalidOptionException;
import dev.gymrpc.envs.ResetNeededException;
import dev.gymrpc.envs.UnknownEnvException;
import dev.gymrpc.proto.wire.ErrorReasons;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The one place where exceptions become gRPC statuses, for unary calls and for per-request errors on
 * a Session stream alike. An uncaught exception in a service method would reach the client as UNKNOWN
 * with no detail; every service method therefore runs its body through {@link #unary} or
 * {@link #translate}.
 *
 * <p>Mapping (see env.proto): unknown env id NOT_FOUND; bad option INVALID_ARGUMENT naming the option;
 * bad action INVALID_ARGUMENT; step before reset / after the end FAILED_PRECONDITION; the server's own
 * {@link RequestException}s with their code; anything unexpected INTERNAL, logged with its stack trace.
 *
 * <p>On unary calls the reason travels three ways, so every client can read it without extra
 * dependencies: the ASCII trailers {@code gymrpc-error-reason} / {@code gymrpc-error-option}, and a
 * {@code google.rpc.ErrorInfo} (domain {@code gymrpc.dev}) in {@code grpc-status-details-bin}, the
 * standard rich error model.
 */
public final class ErrorTranslator {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorTranslator.class);

    /**
     * Client mistakes: one short line each, at most 20 per 10 s however fast a client sends bad requests
     * (issue 10: 3,000 random-byte requests wrote 2,315 stack traces).
     */
    private static final RateLimitedLog REJECTED = new RateLimitedLog(LOG, Level.INFO, 20, TimeUnit.SECONDS.toNanos(10));
    /** Server faults, with stack traces: at most 10 per minute, so a request that hits a bug cannot flood. */
    private static final RateLimitedLog FAULTS = new RateLimitedLog(LOG, Level.ERROR, 10, TimeUnit.MINUTES.toNanos(1));

    public static final String DOMAIN = ErrorReasons.DOMAIN;
    public static final Metadata.Key<String> REASON_KEY = ErrorReasons.REASON_KEY;
    public static final Metadata.Key<String> OPTION_KEY = ErrorReasons.OPTION_KEY;

    static final String UNKNOWN_ENV = ErrorReasons.UNKNOWN_ENV;
    static final String INVALID_OPTION = ErrorReasons.INVALID_OPTION;
    static final String INVALID_ACTION = ErrorReasons.INVALID_ACTION;
    static final String RESET_NEEDED = ErrorReasons.RESET_NEEDED;
    static final String UNKNOWN_HANDLE = ErrorReasons.UNKNOWN_HANDLE;
    static final String WRONG_HANDLE_KIND = ErrorReasons.WRONG_HANDLE_KIND;
    static final String SESSION_LIMIT = ErrorReasons.SESSION_LIMIT;
    static final String INVALID_REQUEST = ErrorReasons.INVALID_REQUEST;
    static final String INTERNAL = ErrorReasons.INTERNAL;

    private ErrorTranslator() {
    }

    /** A translated failure: code, reason, message and metadata. */
    public record Failure(Status.Code code, String reason, String message, Map<String, String> metadata) {

        /** As a unary call's status, with the reason in trailers and in a google.rpc.ErrorInfo detail. */
        public StatusRuntimeException toStatusRuntimeException() {
            com.google.rpc.Status rpc = com.google.rpc.Status.newBuilder()
                    .setCode(code.value())
                    .setMessage(message)
                    .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain(DOMAIN)
                            .putAllMetadata(metadata).build()))
                    .build();
            Metadata trailers = new Metadata();
            trailers.put(REASON_KEY, reason);
            String option = metadata.get("option");
            if (option != null) {
                trailers.put(OPTION_KEY, asciiOnly(option));
            }
            return StatusProto.toStatusRuntimeException(rpc, trailers);
        }

        /** As the per-request error of a Session stream. */
        public dev.gymrpc.proto.v1.Status toProto() {
            return dev.gymrpc.proto.v1.Status.newBuilder().setCode(code.value()).setMessage(message)
                    .setReason(reason).putAllMetadata(metadata).build();
        }
    }

    /**
     * Translates {@code t}, thrown while serving {@code rpc}, and logs it: client mistakes at INFO in one
     * line, server faults (INTERNAL) at ERROR with the stack trace, both rate-limited.
     */
    public static Failure translate(String rpc, Throwable t) {
        Failure f = classify(t);
        if (f.code() == Status.Code.INTERNAL) {
            FAULTS.log("{} failed with an unexpected {}: {}", rpc, t.getClass().getName(), t.getMessage(), t);
        } else {
            REJECTED.log("{} rejected: {} {}: {}", rpc, f.code(), f.reason(), f.message());
        }
        return f;
    }

    /**
     * The failure of a request that could not be decoded as {@code messageType}: INVALID_ARGUMENT /
     * INVALID_REQUEST. Logged like {@link #translate}, in one line without a stack trace (the trace would
     * only show the parser). Oversized requests never get here: the transport refuses them first, with
     * RESOURCE_EXHAUSTED.
     */
    public static Failure undecodable(String rpc, String messageType, Throwable cause) {
        return translate(rpc, RequestException.badRequest("the request is not a valid " + messageType
                + " protobuf message (" + rootMessage(cause) + "): serialize it from the gymrpc.v1 .proto files of "
                + "this server (grpcurl describe " + messageType + " shows the schema)"));
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        String m = r.getMessage() == null ? r.getClass().getSimpleName() : r.getMessage();
        m = m.length() > 160 ? m.substring(0, 160) + "..." : m;
        return asciiOnly(m);
    }

    private static Failure classify(Throwable t) {
        if (t instanceof RequestException e) {
            return new Failure(e.code(), e.reason(), e.getMessage(), e.metadata());
        }
        if (t instanceof UnknownEnvException e) {
            return new Failure(Status.Code.NOT_FOUND, UNKNOWN_ENV, e.getMessage()
                    + " (ListEnvs lists them with their spaces and options)", Map.of());
        }
        if (t instanceof InvalidOptionException e) {
            return new Failure(Status.Code.INVALID_ARGUMENT, INVALID_OPTION, e.getMessage()
                    + " (ListEnvs lists each env's options with types and defaults)", Map.of("option", e.option()));
        }
        if (t instanceof InvalidActionException e) {
            return new Failure(Status.Code.INVALID_ARGUMENT, INVALID_ACTION, e.getMessage(), Map.of());
        }
        if (t instanceof ResetNeededException e) {
            return new Failure(Status.Code.FAILED_PRECONDITION, RESET_NEEDED, e.getMessage(), Map.of());
        }
        if (t instanceof StatusRuntimeException || t instanceof StatusException) {
            Status s = Status.fromThrowable(t);
            String reason = s.getCode() == Status.Code.INTERNAL ? INTERNAL : s.getCode().name();
            return new Failure(s.getCode(), reason, String.valueOf(s.getDescription()), Map.of());
        }
        if (t instanceof IllegalArgumentException) {
            // The env API signals bad caller input this way (e.g. a malformed vector request).
            return new Failure(Status.Code.INVALID_ARGUMENT, INVALID_REQUEST, t.getMessage(), Map.of());
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("exception", t.getClass().getName());
        return new Failure(Status.Code.INTERNAL, INTERNAL, "internal server error: " + t.getClass().getSimpleName()
                + (t.getMessage() == null ? "" : ": " + t.getMessage())
                + " (this is a server bug; the server log has the stack trace)", meta);
    }

    /**
     * Runs a unary call's body and completes {@code observer} with its result or with the translated
     * error. Every unary method of the service goes through here.
     */
    public static <T> void unary(String rpc, StreamObserver<T> observer, Supplier<T> body) {
        T result;
        try {
            result = body.get();
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError vm) {
                throw vm;
            }
            observer.onError(translate(rpc, t).toStatusRuntimeException());
            return;
        }
        observer.onNext(result);
        observer.onCompleted();
    }

    private static String asciiOnly(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
