package dev.gymrpc.envs;

/** An option passed to {@code make} or {@code reset} that is unknown, of the wrong type, or out of range. */
public class InvalidOptionException extends IllegalArgumentException {
    private final String option;

    public InvalidOptionException(String option, String message) {
        super("option '" + option + "': " + message);
        this.option = option;
    }

    /** The name of the offending option. */
    public String option() {
        return option;
    }
}
