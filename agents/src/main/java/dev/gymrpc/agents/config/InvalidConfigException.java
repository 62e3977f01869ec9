package dev.gymrpc.agents.config;

/**
 * A config value is missing, of the wrong type or out of range. {@link #field()} is the field's wire name
 * ({@code gamma}, {@code augmentations.grokfast_alpha}); the message names it, the allowed range and the
 * value received, so it can be shown to the user as is.
 */
public final class InvalidConfigException extends IllegalArgumentException {

    private final String field;

    public InvalidConfigException(String field, String message) {
        super(field + " " + message);
        this.field = field;
    }

    /** The field's wire name. */
    public String field() {
        return field;
    }
}
