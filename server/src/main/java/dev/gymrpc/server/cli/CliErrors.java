package dev.gymrpc.server.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Callable;

/**
 * Turns the agent commands' failures into one-line messages with an exit code, instead of stack traces:
 * a gRPC status (from a server or the local service) prints its code and message, bad command-line values
 * their message.
 */
final class CliErrors {

    private CliErrors() {
    }

    /** Exit code of a usage or request error. */
    static final int USAGE = 2;

    static int run(Callable<Integer> body) throws Exception {
        // The progress line is the user interface; the service's INFO log would interleave with it.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        try {
            return body.call();
        } catch (StatusRuntimeException e) {
            Status s = e.getStatus();
            String hint = s.getCode() == Status.Code.UNAVAILABLE
                    ? " (is `gymrpc serve` running there? start it, or drop --server to run locally)" : "";
            System.err.println("gymrpc: " + s.getCode() + ": " + s.getDescription() + hint);
            return s.getCode() == Status.Code.INVALID_ARGUMENT || s.getCode() == Status.Code.NOT_FOUND
                    || s.getCode() == Status.Code.FAILED_PRECONDITION ? USAGE : 1;
        } catch (IllegalArgumentException e) {
            System.err.println("gymrpc: " + e.getMessage());
            return USAGE;
        }
    }
}
