package dev.gymrpc.agents.io;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts config records to ordered maps (for {@link Json}) and back through their canonical
 * constructors, so validation runs on load too. Supports the component types the configs use:
 * primitives, String, enums, {@code List<Integer>} and nested records. Missing keys are an error that
 * names the key; unknown keys are rejected.
 */
public final class RecordCodec {

    private RecordCodec() {
    }

    public static Map<String, Object> toMap(Record r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            try {
                Object v = c.getAccessor().invoke(r);
                m.put(c.getName(), v instanceof Record nested ? toMap(nested) : v instanceof Enum<?> e ? e.name() : v);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass().getSimpleName(), e);
            }
        }
        return m;
    }

    public static <R extends Record> R fromMap(Class<R> type, Map<?, ?> m) {
        RecordComponent[] comps = type.getRecordComponents();
        for (Object k : m.keySet()) {
            boolean known = false;
            for (RecordComponent c : comps) {
                known |= c.getName().equals(k);
            }
            if (!known) {
                throw new IllegalArgumentException("unknown " + type.getSimpleName() + " field '" + k + "'");
            }
        }
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            RecordComponent c = comps[i];
            types[i] = c.getType();
            if (!m.containsKey(c.getName())) {
                throw new IllegalArgumentException(type.getSimpleName() + " field '" + c.getName() + "' is missing");
            }
            args[i] = convert(c.getName(), m.get(c.getName()), c.getType(), c.getGenericType());
        }
        try {
            Constructor<R> ctor = type.getDeclaredConstructor(types);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + type.getSimpleName(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object convert(String name, Object v, Class<?> t, Type generic) {
        try {
            if (t == double.class) {
                return v instanceof String s ? Double.parseDouble(s) : ((Number) v).doubleValue();
            }
            if (t == int.class) {
                return Math.toIntExact(((Number) v).longValue());
            }
            if (t == long.class) {
                return ((Number) v).longValue();
            }
            if (t == boolean.class) {
                return (Boolean) v;
            }
            if (t == String.class) {
                return (String) v;
            }
            if (t.isEnum()) {
                return Enum.valueOf((Class<Enum>) t, (String) v);
            }
            if (Record.class.isAssignableFrom(t)) {
                return fromMap((Class<Record>) t, (Map<?, ?>) v);
            }
            if (t == List.class && generic instanceof ParameterizedType pt
                    && pt.getActualTypeArguments()[0] == Integer.class) {
                List<Integer> out = new ArrayList<>();
                for (Object o : (List<?>) v) {
                    out.add(Math.toIntExact(((Number) o).longValue()));
                }
                return out;
            }
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new IllegalArgumentException("field '" + name + "' has value " + v + " that is not a " + t.getSimpleName(), e);
        }
        throw new IllegalArgumentException("field '" + name + "' has unsupported type " + generic);
    }
}
