package dev.gymrpc.server.agent;

import dev.gymrpc.server.errors.ErrorTranslator;
import dev.gymrpc.server.errors.RequestException;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The agent service's error reasons and the one adapter from its own exceptions to the server's
 * {@link ErrorTranslator}: {@link ConfigException} becomes INVALID_ARGUMENT / {@value #INVALID_CONFIG}
 * with the field in the ErrorInfo metadata ({@code field}); everything else (unknown env, bad env option,
 * the {@link RequestException}s made here, unexpected failures) is translated by ErrorTranslator exactly
 * as for the env service.
 */
public final class AgentErrors {

    /** INVALID_ARGUMENT: a config value out of range or a missing field; metadata "field" names it. */
    public static final String INVALID_CONFIG = "INVALID_CONFIG";
    /** NOT_FOUND: no job with that id. */
    public static final String UNKNOWN_JOB = "UNKNOWN_JOB";
    /** NOT_FOUND: no model with that id. */
    public static final String UNKNOWN_MODEL = "UNKNOWN_MODEL";
    /** RESOURCE_EXHAUSTED: every worker busy and the queue full. */
    public static final String JOB_QUEUE_FULL = "JOB_QUEUE_FULL";
    /** FAILED_PRECONDITION: the job's state does not allow the operation. */
    public static final String JOB_STATE = "JOB_STATE";
    /** INVALID_ARGUMENT: observations that do not fit the model's observation space. */
    public static final String INVALID_OBSERVATION = "INVALID_OBSERVATION";
    /** UNAVAILABLE: the server is stopping. */
    public static final String STOPPING = "STOPPING";

    private AgentErrors() {
    }

    public static RequestException unknownJob(String jobId) {
        return new RequestException(Status.Code.NOT_FOUND, UNKNOWN_JOB, "no job '" + jobId
                + "' on this server (ListJobs lists them)", Map.of("job_id", String.valueOf(jobId)));
    }

    public static RequestException unknownModel(String modelId) {
        return new RequestException(Status.Code.NOT_FOUND, UNKNOWN_MODEL, "no model '" + modelId
                + "' in the store (ListModels lists them; a model appears when its training job succeeds)",
                Map.of("model_id", String.valueOf(modelId)));
    }

    public static RequestException queueFull(String message) {
        return new RequestException(Status.Code.RESOURCE_EXHAUSTED, JOB_QUEUE_FULL, message, Map.of());
    }

    public static RequestException jobState(String message) {
        return new RequestException(Status.Code.FAILED_PRECONDITION, JOB_STATE, message, Map.of());
    }

    public static RequestException invalidObservation(String message) {
        return new RequestException(Status.Code.INVALID_ARGUMENT, INVALID_OBSERVATION, message, Map.of());
    }

    public static RequestException unavailable(String message) {
        return new RequestException(Status.Code.UNAVAILABLE, STOPPING, message, Map.of());
    }

    /** Maps this service's own exception types to {@link RequestException}; others pass unchanged. */
    public static Throwable adapt(Throwable t) {
        if (t instanceof ConfigException c) {
            return new RequestException(Status.Code.INVALID_ARGUMENT, INVALID_CONFIG, c.getMessage(),
                    Map.of("field", c.field()));
        }
        if (t instanceof dev.gymrpc.agents.config.InvalidConfigException c) {
            return new RequestException(Status.Code.INVALID_ARGUMENT, INVALID_CONFIG, c.getMessage(),
                    Map.of("field", c.field()));
        }
        if (t instanceof dev.gymrpc.agents.Evaluator.CancelledException c) {
            return new RequestException(Status.Code.CANCELLED, "CANCELLED", c.getMessage(), Map.of());
        }
        return t;
    }

    /** {@link ErrorTranslator#unary} with {@link #adapt} applied to failures. */
    public static <T> void unary(String rpc, StreamObserver<T> observer, Supplier<T> body) {
        ErrorTranslator.unary(rpc, observer, () -> {
            try {
                return body.get();
            } catch (RuntimeException e) {
                Throwable a = adapt(e);
                throw a instanceof RuntimeException r ? r : e;
            }
        });
    }

    /** Translates a failure of a streaming call into the status to end the stream with. */
    public static io.grpc.StatusRuntimeException toStatus(String rpc, Throwable t) {
        return ErrorTranslator.translate(rpc, adapt(t)).toStatusRuntimeException();
    }
}
