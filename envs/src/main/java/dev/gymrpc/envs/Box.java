package dev.gymrpc.envs;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A (possibly unbounded) box in R^n, as Gymnasium's {@code Box(low, high, shape, dtype)}. Elements are
 * {@code float[]} of length {@link #flatSize()}, row-major for multi-dimensional shapes.
 *
 * <p>Infinite bounds are allowed ({@code Float.NEGATIVE_INFINITY} / {@code POSITIVE_INFINITY}).
 * Sampling follows Gymnasium: uniform on bounded dimensions, standard normal on unbounded ones and
 * shifted exponential on half-bounded ones.
 */
public final class Box implements Space<float[]> {

    private final float[] low;
    private final float[] high;
    private final int[] shape;
    private final DType dtype;

    private Box(float[] low, float[] high, int[] shape, DType dtype) {
        int size = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("Box shape must be non-negative: " + Arrays.toString(shape));
            }
            size *= d;
        }
        if (low.length != size || high.length != size) {
            throw new IllegalArgumentException("Box bounds have " + low.length + "/" + high.length
                    + " elements but shape " + Arrays.toString(shape) + " needs " + size);
        }
        for (int i = 0; i < size; i++) {
            if (!(low[i] <= high[i])) {
                throw new IllegalArgumentException("Box low[" + i + "]=" + low[i] + " > high[" + i + "]=" + high[i]);
            }
        }
        this.low = low.clone();
        this.high = high.clone();
        this.shape = shape.clone();
        this.dtype = dtype;
    }

    /** A box with per-element bounds; {@code shape} defaults to {@code [low.length]}. */
    public static Box of(float[] low, float[] high, int[] shape, DType dtype) {
        return new Box(low, high, shape, dtype);
    }

    /** A 1-D float32 box with per-element bounds. */
    public static Box of(float[] low, float[] high) {
        return new Box(low, high, new int[] {low.length}, DType.FLOAT32);
    }

    /** A box with the same scalar bounds for every element. */
    public static Box uniform(float low, float high, int[] shape, DType dtype) {
        int size = 1;
        for (int d : shape) {
            size *= d;
        }
        float[] lo = new float[size];
        float[] hi = new float[size];
        Arrays.fill(lo, low);
        Arrays.fill(hi, high);
        return new Box(lo, hi, shape, dtype);
    }

    public float[] low() {
        return low.clone();
    }

    public float[] high() {
        return high.clone();
    }

    /** Lower bound of element {@code i} without copying. */
    public float low(int i) {
        return low[i];
    }

    /** Upper bound of element {@code i} without copying. */
    public float high(int i) {
        return high[i];
    }

    public int[] shape() {
        return shape.clone();
    }

    public DType dtype() {
        return dtype;
    }

    @Override
    public int flatSize() {
        return low.length;
    }

    /** Whether every dimension has finite bounds on both sides. */
    public boolean isBounded() {
        for (int i = 0; i < low.length; i++) {
            if (Float.isInfinite(low[i]) || Float.isInfinite(high[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean contains(float[] value) {
        return value != null && violation(value) == null;
    }

    /**
     * Why {@code value} is not in this box, or {@code null} if it is. Used for error messages that
     * say which element is wrong.
     */
    public String violation(float[] value) {
        if (value == null) {
            return "value is null";
        }
        if (value.length != low.length) {
            return "expected " + low.length + " elements (shape " + Arrays.toString(shape) + "), got " + value.length;
        }
        for (int i = 0; i < value.length; i++) {
            float v = value[i];
            if (Float.isNaN(v)) {
                return "element " + i + " is NaN";
            }
            if (v < low[i] || v > high[i]) {
                return "element " + i + " = " + v + " is outside [" + low[i] + ", " + high[i] + "]";
            }
            if (dtype.integral() && v != Math.rint(v)) {
                return "element " + i + " = " + v + " is not a whole number (dtype " + dtype.numpyName() + ")";
            }
        }
        return null;
    }

    @Override
    public float[] sample(RandomGenerator rng) {
        float[] out = new float[low.length];
        for (int i = 0; i < out.length; i++) {
            boolean lowInf = Float.isInfinite(low[i]);
            boolean highInf = Float.isInfinite(high[i]);
            double v;
            if (!lowInf && !highInf) {
                v = dtype.integral()
                        ? Math.floor(low[i] + rng.nextDouble() * (high[i] - low[i] + 1.0))
                        : low[i] + rng.nextDouble() * ((double) high[i] - low[i]);
                v = Math.min(v, high[i]);
            } else if (lowInf && highInf) {
                v = rng.nextGaussian();
            } else if (lowInf) {
                v = high[i] - rng.nextExponential();
            } else {
                v = low[i] + rng.nextExponential();
            }
            out[i] = (float) v;
        }
        return out;
    }

    @Override
    public float[] cast(Object value) {
        if (value instanceof float[] f) {
            return f;
        }
        if (value instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
        throw new InvalidActionException("a Box action must be a float array of " + low.length + " elements, got "
                + (value == null ? "null" : value.getClass().getSimpleName()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Box b && Arrays.equals(low, b.low) && Arrays.equals(high, b.high)
                && Arrays.equals(shape, b.shape) && dtype == b.dtype;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(low) * 31 + Arrays.hashCode(shape) * 7 + dtype.hashCode();
    }

    @Override
    public String toString() {
        return "Box(" + Arrays.toString(low) + ", " + Arrays.toString(high) + ", " + Arrays.toString(shape) + ", "
                + dtype.numpyName() + ")";
    }
}
