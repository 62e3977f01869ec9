package dev.gymrpc.envs;

/**
 * One keyword option an env accepts at {@code make} time, for discovery (listed by the server) and
 * validation.
 *
 * @param name         option name, as in Gymnasium's keyword arguments (e.g. {@code enable_wind})
 * @param type         one of {@code bool}, {@code int}, {@code float}, {@code string}
 * @param defaultValue the value used when the option is absent
 * @param description  one line: meaning and valid range
 */
public record OptionSpec(String name, String type, Object defaultValue, String description) {

    public static OptionSpec bool(String name, boolean def, String description) {
        return new OptionSpec(name, "bool", def, description);
    }

    public static OptionSpec integer(String name, long def, String description) {
        return new OptionSpec(name, "int", def, description);
    }

    public static OptionSpec real(String name, double def, String description) {
        return new OptionSpec(name, "float", def, description);
    }

    public static OptionSpec string(String name, String def, String description) {
        return new OptionSpec(name, "string", def, description);
    }
}
