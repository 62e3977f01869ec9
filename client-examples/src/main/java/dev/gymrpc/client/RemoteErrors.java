package dev.gymrpc.client;

import dev.gymrpc.envs.InvalidActionException;
import dev.gymrpc.envs.InvalidOptionException;
import dev.gymrpc.envs.ResetNeededException;
import dev.gymrpc.envs.UnknownEnvException;
import dev.gymrpc.proto.wire.ErrorReasons;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.function.Supplier;

/**
 * Maps the server's errors back to the env API's exceptions, so a {@link RemoteEnv} fails exactly as a
 * local env does: INVALID_ACTION becomes {@link InvalidActionException}, RESET_NEEDED
 * {@link ResetNeededException}, INVALID_OPTION {@link InvalidOptionException} (naming the option),
 * UNKNOWN_ENV {@link UnknownEnvException}. Everything else stays a {@link StatusRuntimeException}.
 */
final class RemoteErrors {

    private RemoteErrors() {
    }

    /** The reason trailer of a failed call, or {@code ""}. */
    static String reason(StatusRuntimeException e) {
        Metadata trailers = e.getTrailers();
        String r = trailers == null ? null : trailers.get(ErrorReasons.REASON_KEY);
        return r == null ? "" : r;
    }

    /**
     * Translates {@code e}.
     *
     * @param envId    the env id the call was about, for UNKNOWN_ENV
     * @param knownIds looked up only on UNKNOWN_ENV (an extra ListEnvs call on that error path)
     */
    static RuntimeException translate(StatusRuntimeException e, String envId, Supplier<List<String>> knownIds) {
        String message = e.getStatus().getDescription();
        switch (reason(e)) {
            case ErrorReasons.INVALID_ACTION:
                return new InvalidActionException(message);
            case ErrorReasons.RESET_NEEDED:
                return new ResetNeededException(message);
            case ErrorReasons.INVALID_OPTION: {
                String option = e.getTrailers().get(ErrorReasons.OPTION_KEY);
                String prefix = "option '" + option + "': ";
                return new InvalidOptionException(option == null ? "?" : option,
                        message != null && message.startsWith(prefix) ? message.substring(prefix.length()) : message);
            }
            case ErrorReasons.UNKNOWN_ENV: {
                List<String> ids;
                try {
                    ids = knownIds.get();
                } catch (RuntimeException ignored) {
                    return e;
                }
                return new UnknownEnvException(envId, ids);
            }
            default:
                return e;
        }
    }

    /** Runs a call, translating its failure. */
    static <T> T call(Supplier<T> call, String envId, Supplier<List<String>> knownIds) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            throw translate(e, envId, knownIds);
        }
    }

    /** Whether {@code e} says the server no longer knows the handle (closed or reclaimed). */
    static boolean isUnknownHandle(StatusRuntimeException e) {
        return e.getStatus().getCode() == Status.Code.NOT_FOUND && ErrorReasons.UNKNOWN_HANDLE.equals(reason(e));
    }
}
