package dev.gymrpc.agents.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The hyperparameters of a config record, read from its {@link Param} annotations: name, type, allowed
 * range and one-line doc of each field. A nested record component (the shared
 * {@code Augmentations}) contributes its fields under a dotted prefix ({@code augmentations.grokfast}),
 * or without one when it is marked {@link Param#inline()}.
 *
 * <p>It is the one place where fields are parsed and range-checked: values arriving as wire values, JSON
 * or command-line text are coerced to the field's type ({@link #apply}), and every config is validated
 * ({@link #validate}) before a run starts, whatever built it. The records' own constructors check only
 * what ranges cannot express (e.g. {@code bufferSize >= batchSize}).
 */
public final class ConfigSchema {

    /** The value types a field can have. */
    public enum Type {
        DOUBLE, INT, LONG, BOOL, STRING, ENUM, INT_LIST;

        /** Lower-case name for listings ("double", "int_list", ...). */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One field.
     *
     * @param name     wire name ({@code gamma}, {@code augmentations.grokfast_alpha})
     * @param type     value type
     * @param choices  allowed values of an ENUM field (lower case), else empty
     * @param doc      one-line description
     */
    public record Field(String name, Type type, List<String> choices, double min, boolean minExclusive, double max,
                        boolean maxExclusive, boolean allowInfinite, String doc, Path path) {

        /** The allowed range as text, e.g. {@code [0, 1]}, {@code > 0}, {@code one of mc, gae}; empty if any. */
        public String range() {
            if (type == Type.ENUM) {
                return "one of " + String.join(", ", choices);
            }
            if (type == Type.BOOL || type == Type.STRING) {
                return "";
            }
            boolean lo = min != Double.NEGATIVE_INFINITY;
            boolean hi = max != Double.POSITIVE_INFINITY;
            String fmtLo = num(min);
            String fmtHi = num(max);
            String r;
            if (lo && hi) {
                r = (minExclusive ? "(" : "[") + fmtLo + ", " + fmtHi + (maxExclusive ? ")" : "]");
            } else if (lo) {
                r = (minExclusive ? "> " : ">= ") + fmtLo;
            } else if (hi) {
                r = (maxExclusive ? "< " : "<= ") + fmtHi;
            } else {
                r = "";
            }
            if (type == Type.INT_LIST && !r.isEmpty()) {
                r = "each " + r;
            }
            if (allowInfinite) {
                r = r.isEmpty() ? "a number or -inf/inf" : r + " or -inf/inf";
            }
            return r;
        }

        private static String num(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
        }
    }

    /** Where a field lives: component indices from the outer record inwards. */
    public record Path(int[] indices, Class<?>[] records) {
    }

    private static final Map<Class<?>, ConfigSchema> CACHE = new ConcurrentHashMap<>();

    private final Class<? extends Record> type;
    private final List<Field> fields;
    private final Map<String, Field> byName;

    private ConfigSchema(Class<? extends Record> type) {
        this.type = type;
        List<Field> out = new ArrayList<>();
        collect(type, "", new int[0], new Class<?>[0], out);
        this.fields = List.copyOf(out);
        Map<String, Field> m = new LinkedHashMap<>();
        for (Field f : out) {
            if (m.put(f.name(), f) != null) {
                throw new IllegalStateException(type.getSimpleName() + " has two fields named " + f.name());
            }
        }
        this.byName = Collections.unmodifiableMap(m);
    }

    /** The schema of a config record class (cached). */
    public static ConfigSchema of(Class<? extends Record> type) {
        return CACHE.computeIfAbsent(type, t -> new ConfigSchema(type));
    }

    /** The record class this schema describes. */
    public Class<? extends Record> type() {
        return type;
    }

    /** Every field, in declaration order (nested records' fields in place of the record). */
    public List<Field> fields() {
        return fields;
    }

    /** The field named {@code name}; an {@link InvalidConfigException} listing the valid names otherwise. */
    public Field field(String name) {
        Field f = byName.get(name);
        if (f == null) {
            throw new InvalidConfigException(name, "is not a field of this algorithm's config; valid fields: "
                    + String.join(", ", byName.keySet()));
        }
        return f;
    }

    /** Whether {@code name} is a field. */
    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /**
     * The config's values by wire name: Double, Integer, Long, Boolean, String, enum values as lower-case
     * strings and lists as {@code List<Integer>}.
     */
    public Map<String, Object> toMap(Record config) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Field f : fields) {
            Object v = read(config, f.path());
            m.put(f.name(), v instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT) : v);
        }
        return m;
    }

    /** The value of field {@code name} in {@code config} (wire form as {@link #toMap}). */
    public Object get(Record config, String name) {
        Object v = read(config, field(name).path());
        return v instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT) : v;
    }

    /**
     * {@code base} with the fields named in {@code values} replaced: each value is coerced to its field's
     * type (numbers, booleans, enum names in any case, int lists as lists, arrays or "64,64" text; any of
     * them also as text) and the result is validated.
     *
     * @throws InvalidConfigException naming the first field that is unknown, mistyped or out of range
     */
    @SuppressWarnings("unchecked")
    public <R extends Record> R apply(R base, Map<String, ?> values) {
        Map<String, Object> flat = new LinkedHashMap<>();
        for (Field f : fields) {
            flat.put(f.name(), read(base, f.path()));
        }
        for (Map.Entry<String, ?> e : values.entrySet()) {
            Field f = field(e.getKey());
            flat.put(f.name(), coerce(f, e.getValue()));
        }
        R out = (R) build(type, "", flat);
        validate(out);
        return out;
    }

    /** Checks every field of {@code config} against its range. */
    public void validate(Record config) {
        for (Field f : fields) {
            check(f, read(config, f.path()));
        }
    }

    /** Coerces a wire, JSON or text value to the Java type of field {@code f} and checks its range. */
    public Object coerce(Field f, Object v) {
        Object out = convert(f, v);
        check(f, out);
        return out;
    }

    // ---- internals ----

    private static void collect(Class<?> rec, String prefix, int[] idx, Class<?>[] recs, List<Field> out) {
        RecordComponent[] comps = rec.getRecordComponents();
        for (int i = 0; i < comps.length; i++) {
            RecordComponent c = comps[i];
            int[] path = java.util.Arrays.copyOf(idx, idx.length + 1);
            path[idx.length] = i;
            Class<?>[] rpath = java.util.Arrays.copyOf(recs, recs.length + 1);
            rpath[recs.length] = rec;
            Param p = c.getAnnotation(Param.class);
            String name = p != null && !p.name().isEmpty() ? p.name() : snake(c.getName());
            if (c.getType().isRecord()) {
                collect(c.getType(), p != null && p.inline() ? prefix : prefix + name + ".", path, rpath, out);
                continue;
            }
            if (p == null) {
                throw new IllegalStateException(rec.getSimpleName() + "." + c.getName()
                        + " has no @Param: every config field needs a doc and range");
            }
            Type t = typeOf(c);
            List<String> choices = List.of();
            if (t == Type.ENUM) {
                choices = java.util.Arrays.stream(c.getType().getEnumConstants())
                        .map(e -> ((Enum<?>) e).name().toLowerCase(Locale.ROOT)).collect(Collectors.toList());
            }
            out.add(new Field(prefix + name, t, choices, p.min(), p.minExclusive(), p.max(), p.maxExclusive(),
                    p.allowInfinite(), p.doc(), new Path(path, rpath)));
        }
    }

    private static Type typeOf(RecordComponent c) {
        Class<?> t = c.getType();
        if (t == double.class || t == float.class) {
            return Type.DOUBLE;
        }
        if (t == int.class) {
            return Type.INT;
        }
        if (t == long.class) {
            return Type.LONG;
        }
        if (t == boolean.class) {
            return Type.BOOL;
        }
        if (t == String.class) {
            return Type.STRING;
        }
        if (t.isEnum()) {
            return Type.ENUM;
        }
        if (t == List.class && c.getGenericType() instanceof ParameterizedType pt
                && pt.getActualTypeArguments()[0] == Integer.class) {
            return Type.INT_LIST;
        }
        throw new IllegalStateException("unsupported config field type " + c.getGenericType() + " of " + c.getName());
    }

    /** camelCase to snake_case ({@code gaeLambda} -> {@code gae_lambda}). */
    public static String snake(String camel) {
        StringBuilder b = new StringBuilder();
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                b.append('_').append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    private static Object read(Record r, Path p) {
        Object cur = r;
        for (int i : p.indices()) {
            try {
                cur = cur.getClass().getRecordComponents()[i].getAccessor().invoke(cur);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(e);
            }
        }
        return cur;
    }

    private Object build(Class<?> rec, String prefix, Map<String, Object> flat) {
        RecordComponent[] comps = rec.getRecordComponents();
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            RecordComponent c = comps[i];
            types[i] = c.getType();
            Param p = c.getAnnotation(Param.class);
            String name = p != null && !p.name().isEmpty() ? p.name() : snake(c.getName());
            args[i] = c.getType().isRecord() ? build(c.getType(), p != null && p.inline() ? prefix : prefix + name + ".", flat)
                    : flat.get(prefix + name);
        }
        try {
            Constructor<?> ctor = rec.getDeclaredConstructor(types);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof InvalidConfigException ice) {
                throw ice;
            }
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw new InvalidConfigException(prefix.isEmpty() ? "config" : prefix.substring(0, prefix.length() - 1),
                        "is invalid: " + iae.getMessage());
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + rec.getSimpleName(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object convert(Field f, Object v) {
        if (v == null) {
            throw new InvalidConfigException(f.name(), "needs a value (" + describe(f) + ")");
        }
        try {
            switch (f.type()) {
                case DOUBLE:
                    if (v instanceof Number n) {
                        return n.doubleValue();
                    }
                    return parseDouble(String.valueOf(v));
                case INT:
                    return Math.toIntExact(integral(f, v));
                case LONG:
                    return integral(f, v);
                case BOOL:
                    if (v instanceof Boolean b) {
                        return b;
                    }
                    String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
                    if (s.equals("true") || s.equals("false")) {
                        return Boolean.parseBoolean(s);
                    }
                    throw new InvalidConfigException(f.name(), "must be true or false, got " + v);
                case STRING:
                    return String.valueOf(v);
                case ENUM: {
                    Class<?> et = enumType(f);
                    String want = String.valueOf(v).trim().toUpperCase(Locale.ROOT).replace('-', '_');
                    for (Object c : et.getEnumConstants()) {
                        String n = ((Enum<?>) c).name();
                        if (n.equals(want) || want.endsWith("_" + n)) {
                            return c;
                        }
                    }
                    throw new InvalidConfigException(f.name(), "must be one of " + String.join(", ", f.choices())
                            + ", got " + v);
                }
                case INT_LIST: {
                    List<Integer> out = new ArrayList<>();
                    if (v instanceof int[] a) {
                        for (int x : a) {
                            out.add(x);
                        }
                    } else if (v instanceof long[] a) {
                        for (long x : a) {
                            out.add(Math.toIntExact(x));
                        }
                    } else if (v instanceof List<?> l) {
                        for (Object o : l) {
                            out.add(Math.toIntExact(integral(f, o)));
                        }
                    } else if (v instanceof Number n) {
                        out.add(Math.toIntExact(integral(f, n)));
                    } else {
                        String t = String.valueOf(v).trim().replace("[", "").replace("]", "");
                        for (String part : t.split(",")) {
                            if (!part.isBlank()) {
                                out.add(Math.toIntExact(integral(f, part.trim())));
                            }
                        }
                    }
                    return out;
                }
                default:
                    throw new IllegalStateException();
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw new InvalidConfigException(f.name(), "must be " + describe(f) + ", got " + v);
        }
    }

    private static Class<?> enumType(Field f) {
        Path p = f.path();
        Class<?> rec = p.records()[p.records().length - 1];
        return rec.getRecordComponents()[p.indices()[p.indices().length - 1]].getType();
    }

    private static long integral(Field f, Object v) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (d != Math.rint(d) || Double.isInfinite(d)) {
                throw new InvalidConfigException(f.name(), "must be an integer, got " + v);
            }
            return (long) d;
        }
        return Long.parseLong(String.valueOf(v).trim().replace("_", ""));
    }

    private static double parseDouble(String t) {
        String s = t.trim().toLowerCase(Locale.ROOT);
        if (s.equals("-inf") || s.equals("-infinity")) {
            return Double.NEGATIVE_INFINITY;
        }
        if (s.equals("inf") || s.equals("infinity") || s.equals("+inf")) {
            return Double.POSITIVE_INFINITY;
        }
        return Double.parseDouble(s.replace("_", ""));
    }

    private static String describe(Field f) {
        String t = switch (f.type()) {
            case DOUBLE -> "a number";
            case INT, LONG -> "an integer";
            case BOOL -> "true or false";
            case STRING -> "text";
            case ENUM -> "one of " + String.join(", ", f.choices());
            case INT_LIST -> "a list of integers (e.g. 64,64)";
        };
        String r = f.type() == Type.ENUM ? "" : f.range();
        return r.isEmpty() ? t : t + " " + r;
    }

    private static void check(Field f, Object v) {
        switch (f.type()) {
            case DOUBLE -> checkNumber(f, ((Number) v).doubleValue());
            case INT, LONG -> checkNumber(f, ((Number) v).doubleValue());
            case INT_LIST -> {
                for (Object o : (List<?>) v) {
                    checkNumber(f, ((Number) o).doubleValue());
                }
            }
            default -> {
                if (v == null) {
                    throw new InvalidConfigException(f.name(), "needs a value (" + describe(f) + ")");
                }
            }
        }
    }

    private static void checkNumber(Field f, double d) {
        if (Double.isNaN(d)) {
            throw new InvalidConfigException(f.name(), "must be " + describe(f) + ", got NaN");
        }
        if (Double.isInfinite(d)) {
            if (!f.allowInfinite()) {
                throw new InvalidConfigException(f.name(), "must be a finite number " + f.range() + ", got " + d);
            }
            return;
        }
        boolean okLo = f.minExclusive() ? d > f.min() : d >= f.min();
        boolean okHi = f.maxExclusive() ? d < f.max() : d <= f.max();
        if (!okLo || !okHi) {
            throw new InvalidConfigException(f.name(), "must be " + f.range() + ", got "
                    + (d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d)));
        }
    }
}
