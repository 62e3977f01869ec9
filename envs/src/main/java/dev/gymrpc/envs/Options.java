package dev.gymrpc.envs;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validated view of the keyword options given to {@code make}. Values are checked against the env's
 * {@link OptionSpec}s: unknown names and wrong types throw {@link InvalidOptionException} naming the
 * option. Numbers may arrive as any {@link Number} (e.g. from JSON or the wire); strings such as
 * {@code "true"} or {@code "0.5"} are parsed.
 */
public final class Options {

    private final Map<String, Object> values;

    private Options(Map<String, Object> values) {
        this.values = values;
    }

    /** Validates {@code given} against {@code specs} and fills in defaults. */
    public static Options parse(String envId, List<OptionSpec> specs, Map<String, ?> given) {
        Map<String, OptionSpec> byName = new HashMap<>();
        for (OptionSpec s : specs) {
            byName.put(s.name(), s);
        }
        Map<String, Object> values = new HashMap<>();
        for (OptionSpec s : specs) {
            values.put(s.name(), s.defaultValue());
        }
        if (given != null) {
            for (Map.Entry<String, ?> e : given.entrySet()) {
                OptionSpec s = byName.get(e.getKey());
                if (s == null) {
                    throw new InvalidOptionException(e.getKey(), "not an option of " + envId + "; accepted options: "
                            + (specs.isEmpty() ? "none" : String.join(", ", specs.stream().map(OptionSpec::name).toList())));
                }
                values.put(s.name(), convert(s, e.getValue()));
            }
        }
        return new Options(values);
    }

    private static Object convert(OptionSpec s, Object v) {
        if (v == null) {
            throw new InvalidOptionException(s.name(), "must not be null; expected " + s.type());
        }
        try {
            switch (s.type()) {
                case "bool":
                    if (v instanceof Boolean b) {
                        return b;
                    }
                    if (v instanceof String str && (str.equalsIgnoreCase("true") || str.equalsIgnoreCase("false"))) {
                        return Boolean.parseBoolean(str);
                    }
                    break;
                case "int":
                    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                            && !Double.isInfinite(n.doubleValue())) {
                        return n.longValue();
                    }
                    if (v instanceof String str) {
                        return Long.parseLong(str.trim());
                    }
                    break;
                case "float":
                    if (v instanceof Number n) {
                        return n.doubleValue();
                    }
                    if (v instanceof String str) {
                        return Double.parseDouble(str.trim());
                    }
                    break;
                case "string":
                    if (v instanceof String str) {
                        return str;
                    }
                    break;
                default:
                    throw new IllegalStateException("unknown option type " + s.type());
            }
        } catch (NumberFormatException e) {
            // fall through to the type error below
        }
        throw new InvalidOptionException(s.name(), "expected " + s.type() + ", got " + v
                + " (" + v.getClass().getSimpleName() + ")");
    }

    public boolean getBool(String name) {
        return (Boolean) require(name);
    }

    public long getLong(String name) {
        return ((Number) require(name)).longValue();
    }

    public double getDouble(String name) {
        return ((Number) require(name)).doubleValue();
    }

    public String getString(String name) {
        return (String) require(name);
    }

    /** All resolved values, defaults included. */
    public Map<String, Object> asMap() {
        return Map.copyOf(values);
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("option '" + name + "' is not declared by this env");
        }
        return v;
    }
}
