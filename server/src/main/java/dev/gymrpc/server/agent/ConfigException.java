package dev.gymrpc.server.agent;

/**
 * A training, evaluation or benchmark request with a bad or missing value. Names the field (its proto
 * path, e.g. {@code spec.sac.gamma}), so the service can report it as INVALID_ARGUMENT with the field in
 * the error details, and says what range is allowed.
 */
public final class ConfigException extends RuntimeException {

    private final String field;

    public ConfigException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The offending field's proto path. */
    public String field() {
        return field;
    }
}
