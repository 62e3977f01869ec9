package dev.gymrpc.envs;

import java.util.random.RandomGenerator;

/**
 * The integers {@code start, start+1, ..., start+n-1}, as Gymnasium's {@code Discrete(n, start)}.
 *
 * @param n     number of elements, at least 1
 * @param start the smallest element
 */
public record Discrete(int n, int start) implements Space<Integer> {

    public Discrete {
        if (n < 1) {
            throw new IllegalArgumentException("Discrete space needs n >= 1, got " + n);
        }
    }

    /** {@code Discrete(n)} with start 0. */
    public Discrete(int n) {
        this(n, 0);
    }

    @Override
    public boolean contains(Integer value) {
        return value != null && value >= start && value < start + n;
    }

    /** Primitive form of {@link #contains(Integer)}. */
    public boolean contains(int value) {
        return value >= start && value < start + n;
    }

    @Override
    public Integer sample(RandomGenerator rng) {
        return start + rng.nextInt(n);
    }

    @Override
    public Integer cast(Object value) {
        if (value instanceof Integer i) {
            return i;
        }
        if (value instanceof Long || value instanceof Short || value instanceof Byte) {
            long l = ((Number) value).longValue();
            if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                throw new InvalidActionException("action " + l + " is not in " + this);
            }
            return (int) l;
        }
        if (value instanceof int[] a && a.length == 1) {
            return a[0];
        }
        if (value instanceof long[] a && a.length == 1) {
            return cast(a[0]);
        }
        throw new InvalidActionException("a Discrete action must be an integer, got "
                + (value == null ? "null" : value.getClass().getSimpleName()));
    }

    @Override
    public int flatSize() {
        return 1;
    }

    @Override
    public String toString() {
        return start == 0 ? "Discrete(" + n + ")" : "Discrete(" + n + ", start=" + start + ")";
    }
}
