package dev.gymrpc.server.errors;

import io.grpc.Status;
import java.util.Map;

/**
 * A failure the server detects itself (as opposed to one the env API raises), carrying the gRPC code
 * and the machine-readable reason it is reported with. {@link ErrorTranslator} turns it into a status.
 */
public final class RequestException extends RuntimeException {

    private final Status.Code code;
    private final String reason;
    private final Map<String, String> metadata;

    public RequestException(Status.Code code, String reason, String message, Map<String, String> metadata) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.metadata = Map.copyOf(metadata);
    }

    /** A malformed request (missing field, bad count): INVALID_ARGUMENT / INVALID_REQUEST. */
    public static RequestException badRequest(String message) {
        return new RequestException(Status.Code.INVALID_ARGUMENT, ErrorTranslator.INVALID_REQUEST, message, Map.of());
    }

    /** A handle that is not open: NOT_FOUND / UNKNOWN_HANDLE. */
    public static RequestException unknownHandle(String message) {
        return new RequestException(Status.Code.NOT_FOUND, ErrorTranslator.UNKNOWN_HANDLE, message, Map.of());
    }

    /** A handle of the other kind (single vs vector): INVALID_ARGUMENT / WRONG_HANDLE_KIND. */
    public static RequestException wrongHandleKind(String message) {
        return new RequestException(Status.Code.INVALID_ARGUMENT, ErrorTranslator.WRONG_HANDLE_KIND, message, Map.of());
    }

    /** The open-session cap is reached: RESOURCE_EXHAUSTED / SESSION_LIMIT. */
    public static RequestException sessionLimit(String message) {
        return new RequestException(Status.Code.RESOURCE_EXHAUSTED, ErrorTranslator.SESSION_LIMIT, message, Map.of());
    }

    public Status.Code code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public Map<String, String> metadata() {
        return metadata;
    }
}
