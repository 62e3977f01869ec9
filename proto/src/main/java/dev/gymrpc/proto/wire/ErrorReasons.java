package dev.gymrpc.proto.wire;

import io.grpc.Metadata;

/**
 * The machine-readable error reasons of the gymrpc protocol and the trailers that carry them on unary
 * calls (see {@code Status.reason} in gymrpc/v1/common.proto). Shared by the server, which sets them, and
 * Java clients, which map them back to the env API's exceptions.
 */
public final class ErrorReasons {

    private ErrorReasons() {
    }

    /** {@code google.rpc.ErrorInfo.domain} of gymrpc errors. */
    public static final String DOMAIN = "gymrpc.dev";
    /** ASCII trailer with the reason, on every failed unary call. */
    public static final Metadata.Key<String> REASON_KEY = Metadata.Key.of("gymrpc-error-reason",
            Metadata.ASCII_STRING_MARSHALLER);
    /** ASCII trailer with the offending option's name, on INVALID_OPTION. */
    public static final Metadata.Key<String> OPTION_KEY = Metadata.Key.of("gymrpc-error-option",
            Metadata.ASCII_STRING_MARSHALLER);

    /** NOT_FOUND: the env id is not registered; the message lists the registered ids. */
    public static final String UNKNOWN_ENV = "UNKNOWN_ENV";
    /** INVALID_ARGUMENT: a make/reset option is unknown, mistyped or out of range; metadata "option" names it. */
    public static final String INVALID_OPTION = "INVALID_OPTION";
    /** INVALID_ARGUMENT: the action is not in the action space (dtype, shape, range, NaN). */
    public static final String INVALID_ACTION = "INVALID_ACTION";
    /** FAILED_PRECONDITION: step before the first reset or after the episode ended. */
    public static final String RESET_NEEDED = "RESET_NEEDED";
    /** NOT_FOUND: the handle is not open (never made, closed or reclaimed). */
    public static final String UNKNOWN_HANDLE = "UNKNOWN_HANDLE";
    /** INVALID_ARGUMENT: a vector handle used with a single-env verb or the reverse. */
    public static final String WRONG_HANDLE_KIND = "WRONG_HANDLE_KIND";
    /** RESOURCE_EXHAUSTED: the server's open-session cap is reached. */
    public static final String SESSION_LIMIT = "SESSION_LIMIT";
    /** INVALID_ARGUMENT: the request itself is malformed (missing field, wrong count, not decodable protobuf). */
    public static final String INVALID_REQUEST = "INVALID_REQUEST";
    /** INTERNAL: a server fault; the server log has the details. */
    public static final String INTERNAL = "INTERNAL";
}
