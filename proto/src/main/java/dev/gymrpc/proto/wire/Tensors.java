package dev.gymrpc.proto.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.gymrpc.proto.v1.BoolArray;
import dev.gymrpc.proto.v1.DType;
import dev.gymrpc.proto.v1.DoubleArray;
import dev.gymrpc.proto.v1.FloatArray;
import dev.gymrpc.proto.v1.Int32Array;
import dev.gymrpc.proto.v1.Int64Array;
import dev.gymrpc.proto.v1.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Converts between Java arrays and the wire {@link Tensor}: a shape plus one packed payload whose kind
 * is the dtype (dm_env_rpc's tensor layout). Arrays are flat and row-major on both sides.
 */
public final class Tensors {

    private Tensors() {
    }

    /** A float32 tensor of {@code shape} (a 1-D tensor of {@code values.length} when no shape is given). */
    public static Tensor ofFloats(float[] values, long... shape) {
        FloatArray.Builder b = FloatArray.newBuilder();
        for (float v : values) {
            b.addValues(v);
        }
        return withShape(Tensor.newBuilder().setFloats(b), values.length, shape);
    }

    /** A float64 tensor. */
    public static Tensor ofDoubles(double[] values, long... shape) {
        DoubleArray.Builder b = DoubleArray.newBuilder();
        for (double v : values) {
            b.addValues(v);
        }
        return withShape(Tensor.newBuilder().setDoubles(b), values.length, shape);
    }

    /** An int32 tensor. */
    public static Tensor ofInts(int[] values, long... shape) {
        Int32Array.Builder b = Int32Array.newBuilder();
        for (int v : values) {
            b.addValues(v);
        }
        return withShape(Tensor.newBuilder().setInt32S(b), values.length, shape);
    }

    /** An int64 tensor. */
    public static Tensor ofLongs(long[] values, long... shape) {
        Int64Array.Builder b = Int64Array.newBuilder();
        for (long v : values) {
            b.addValues(v);
        }
        return withShape(Tensor.newBuilder().setInt64S(b), values.length, shape);
    }

    /** A bool tensor. */
    public static Tensor ofBools(boolean[] values, long... shape) {
        BoolArray.Builder b = BoolArray.newBuilder();
        for (boolean v : values) {
            b.addValues(v);
        }
        return withShape(Tensor.newBuilder().setBools(b), values.length, shape);
    }

    /** A uint8 tensor. */
    public static Tensor ofBytes(byte[] values, long... shape) {
        return withShape(Tensor.newBuilder().setUint8S(ByteString.copyFrom(values)), values.length, shape);
    }

    /** A scalar (shape {@code []}) int64 tensor, the wire form of a Discrete element. */
    public static Tensor scalar(long value) {
        return Tensor.newBuilder().setInt64S(Int64Array.newBuilder().addValues(value)).build();
    }

    private static Tensor withShape(Tensor.Builder b, int count, long[] shape) {
        if (shape.length == 0) {
            b.addShape(count);
        } else {
            long product = product(shape);
            if (product != count) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + product
                        + " elements, got " + count);
            }
            for (long d : shape) {
                b.addShape(d);
            }
        }
        return b.build();
    }

    /**
     * Encodes flat values (as the env API holds them, in floats) in the payload of {@code dtype}, so an
     * observation travels in its space's dtype. Integral dtypes round-trip exactly for values a float
     * represents exactly.
     */
    public static Tensor encode(float[] flat, dev.gymrpc.envs.DType dtype, long... shape) {
        switch (dtype) {
            case FLOAT32:
                return ofFloats(flat, shape);
            case FLOAT64: {
                double[] d = new double[flat.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = flat[i];
                }
                return ofDoubles(d, shape);
            }
            case INT32: {
                int[] d = new int[flat.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = (int) flat[i];
                }
                return ofInts(d, shape);
            }
            case INT64: {
                long[] d = new long[flat.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = (long) flat[i];
                }
                return ofLongs(d, shape);
            }
            case UINT8: {
                byte[] d = new byte[flat.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = (byte) (int) flat[i];
                }
                return ofBytes(d, shape);
            }
            default:
                throw new IllegalArgumentException("unsupported dtype " + dtype);
        }
    }

    /**
     * {@code flat} as the raw little-endian bytes of {@code dtype}, row-major (the
     * {@code VectorStepResponse.packed_observations} form, protocol 1.1): the values {@link #encode} would
     * carry, converted the same way, one element after the other with no per-element framing. float32
     * keeps its IEEE 754 bits (NaN payloads included).
     */
    public static ByteString packLittleEndian(float[] flat, dev.gymrpc.envs.DType dtype) {
        ByteBuffer buf;
        switch (dtype) {
            case FLOAT32:
                buf = ByteBuffer.allocate(flat.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(flat);
                break;
            case FLOAT64:
                buf = ByteBuffer.allocate(flat.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : flat) {
                    buf.putDouble(v);
                }
                break;
            case INT32:
                buf = ByteBuffer.allocate(flat.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : flat) {
                    buf.putInt((int) v);
                }
                break;
            case INT64:
                buf = ByteBuffer.allocate(flat.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : flat) {
                    buf.putLong((long) v);
                }
                break;
            case UINT8: {
                byte[] d = new byte[flat.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = (byte) (int) flat[i];
                }
                return UnsafeByteOperations.unsafeWrap(d);
            }
            default:
                throw new IllegalArgumentException("unsupported dtype " + dtype);
        }
        // The array is new and never written again, so the ByteString may wrap it without a copy.
        return UnsafeByteOperations.unsafeWrap(buf.array());
    }

    /** The dtype named by the tensor's payload kind ({@code DTYPE_UNSPECIFIED} when no payload is set). */
    public static DType payloadDType(Tensor t) {
        switch (t.getPayloadCase()) {
            case FLOATS:
                return DType.DTYPE_FLOAT32;
            case DOUBLES:
                return DType.DTYPE_FLOAT64;
            case INT32S:
                return DType.DTYPE_INT32;
            case INT64S:
                return DType.DTYPE_INT64;
            case UINT8S:
                return DType.DTYPE_UINT8;
            case BOOLS:
                return DType.DTYPE_BOOL;
            default:
                return DType.DTYPE_UNSPECIFIED;
        }
    }

    /** The NumPy name of the payload's dtype, for messages ("float32", ..., "none"). */
    public static String payloadName(Tensor t) {
        DType d = payloadDType(t);
        return d == DType.DTYPE_UNSPECIFIED ? "none" : d.name().substring("DTYPE_".length()).toLowerCase();
    }

    /** Number of elements in the payload. */
    public static int elementCount(Tensor t) {
        switch (t.getPayloadCase()) {
            case FLOATS:
                return t.getFloats().getValuesCount();
            case DOUBLES:
                return t.getDoubles().getValuesCount();
            case INT32S:
                return t.getInt32S().getValuesCount();
            case INT64S:
                return t.getInt64S().getValuesCount();
            case UINT8S:
                return t.getUint8S().size();
            case BOOLS:
                return t.getBools().getValuesCount();
            default:
                return 0;
        }
    }

    /** Product of the tensor's shape (1 for a scalar). */
    public static long shapeProduct(Tensor t) {
        long p = 1;
        for (long d : t.getShapeList()) {
            p *= d;
        }
        return p;
    }

    /** The shape as longs. */
    public static long[] shape(Tensor t) {
        return t.getShapeList().stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Checks that the tensor has a payload whose element count matches its shape; returns a reason
     * when not (for error messages), or {@code null}.
     */
    public static String inconsistency(Tensor t) {
        if (t.getPayloadCase() == Tensor.PayloadCase.PAYLOAD_NOT_SET) {
            return "the tensor has no payload (set one of floats, doubles, int32s, int64s, uint8s, bools)";
        }
        for (long d : t.getShapeList()) {
            if (d < 0) {
                return "the tensor shape " + t.getShapeList() + " has a negative dimension";
            }
        }
        long product = shapeProduct(t);
        int count = elementCount(t);
        if (product != count) {
            return "the tensor shape " + t.getShapeList() + " needs " + product + " elements but its "
                    + payloadName(t) + " payload has " + count;
        }
        return null;
    }

    /** Any numeric payload as floats (bools as 0/1). */
    public static float[] toFloats(Tensor t) {
        int n = elementCount(t);
        float[] out = new float[n];
        switch (t.getPayloadCase()) {
            case FLOATS:
                for (int i = 0; i < n; i++) {
                    out[i] = t.getFloats().getValues(i);
                }
                break;
            case DOUBLES:
                for (int i = 0; i < n; i++) {
                    out[i] = (float) t.getDoubles().getValues(i);
                }
                break;
            case INT32S:
                for (int i = 0; i < n; i++) {
                    out[i] = t.getInt32S().getValues(i);
                }
                break;
            case INT64S:
                for (int i = 0; i < n; i++) {
                    out[i] = t.getInt64S().getValues(i);
                }
                break;
            case UINT8S:
                for (int i = 0; i < n; i++) {
                    out[i] = t.getUint8S().byteAt(i) & 0xff;
                }
                break;
            case BOOLS:
                for (int i = 0; i < n; i++) {
                    out[i] = t.getBools().getValues(i) ? 1f : 0f;
                }
                break;
            default:
                break;
        }
        return out;
    }

    /**
     * The payload as the natural Java array: {@code float[]}, {@code double[]}, {@code int[]},
     * {@code long[]}, {@code byte[]} or {@code boolean[]} ({@code null} without payload).
     */
    public static Object toArray(Tensor t) {
        switch (t.getPayloadCase()) {
            case FLOATS:
                return toFloats(t);
            case DOUBLES:
                return t.getDoubles().getValuesList().stream().mapToDouble(Double::doubleValue).toArray();
            case INT32S:
                return t.getInt32S().getValuesList().stream().mapToInt(Integer::intValue).toArray();
            case INT64S:
                return t.getInt64S().getValuesList().stream().mapToLong(Long::longValue).toArray();
            case UINT8S:
                return t.getUint8S().toByteArray();
            case BOOLS: {
                boolean[] b = new boolean[t.getBools().getValuesCount()];
                for (int i = 0; i < b.length; i++) {
                    b[i] = t.getBools().getValues(i);
                }
                return b;
            }
            default:
                return null;
        }
    }

    /** Encodes a Java primitive array as a 1-D tensor; {@code null} if {@code array} is not one. */
    public static Tensor fromArray(Object array) {
        if (array instanceof float[] f) {
            return ofFloats(f);
        }
        if (array instanceof double[] d) {
            return ofDoubles(d);
        }
        if (array instanceof int[] i) {
            return ofInts(i);
        }
        if (array instanceof long[] l) {
            return ofLongs(l);
        }
        if (array instanceof byte[] b) {
            return ofBytes(b);
        }
        if (array instanceof boolean[] b) {
            return ofBools(b);
        }
        return null;
    }

    static long product(long[] shape) {
        long p = 1;
        for (long d : shape) {
            p *= d;
        }
        return p;
    }
}
