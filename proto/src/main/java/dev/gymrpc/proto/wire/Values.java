package dev.gymrpc.proto.wire;

import dev.gymrpc.proto.v1.Tensor;
import dev.gymrpc.proto.v1.Value;
import dev.gymrpc.proto.v1.ValueMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Converts option and info values between Java objects and the wire {@link Value}: Boolean, integral
 * numbers (as int64), floating numbers (as float64), String, primitive arrays (as 1-D tensors) and
 * nested maps.
 */
public final class Values {

    private Values() {
    }

    /**
     * The wire form of {@code v}. Throws {@link IllegalArgumentException} for types with no wire form:
     * info maps must hold only the types above.
     */
    public static Value toValue(Object v) {
        Value.Builder b = Value.newBuilder();
        if (v instanceof Boolean x) {
            return b.setBoolValue(x).build();
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return b.setIntValue(((Number) v).longValue()).build();
        }
        if (v instanceof Number n) {
            return b.setFloatValue(n.doubleValue()).build();
        }
        if (v instanceof CharSequence s) {
            return b.setStringValue(s.toString()).build();
        }
        if (v instanceof Map<?, ?> m) {
            return b.setMapValue(ValueMap.newBuilder().putAllFields(toValueMap(m))).build();
        }
        if (v instanceof Tensor t) {
            return b.setTensorValue(t).build();
        }
        Tensor t = Tensors.fromArray(v);
        if (t != null) {
            return b.setTensorValue(t).build();
        }
        throw new IllegalArgumentException("a value of type " + (v == null ? "null" : v.getClass().getName())
                + " has no wire form (use bool, int, float, str, a primitive array or a map)");
    }

    /** Converts every entry with {@link #toValue}. Keys are converted with {@code toString()}. */
    public static Map<String, Value> toValueMap(Map<?, ?> map) {
        Map<String, Value> out = new LinkedHashMap<>();
        if (map != null) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put(String.valueOf(e.getKey()), toValue(e.getValue()));
            }
        }
        return out;
    }

    /**
     * The Java form of {@code v}: Boolean, Long, Double, String, a primitive array (see
     * {@link Tensors#toArray}) or a {@code Map<String, Object>}; {@code null} when no kind is set.
     */
    public static Object fromValue(Value v) {
        switch (v.getKindCase()) {
            case BOOL_VALUE:
                return v.getBoolValue();
            case INT_VALUE:
                return v.getIntValue();
            case FLOAT_VALUE:
                return v.getFloatValue();
            case STRING_VALUE:
                return v.getStringValue();
            case TENSOR_VALUE:
                return Tensors.toArray(v.getTensorValue());
            case MAP_VALUE:
                return fromValueMap(v.getMapValue().getFieldsMap());
            default:
                return null;
        }
    }

    /** Converts every entry with {@link #fromValue}; entries with no kind map to {@code null} values. */
    public static Map<String, Object> fromValueMap(Map<String, Value> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : map.entrySet()) {
            out.put(e.getKey(), fromValue(e.getValue()));
        }
        return out;
    }
}
