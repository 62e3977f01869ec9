package dev.gymrpc.agents.util;

/** Validation helpers for config records: messages name the field, the allowed range and the value. */
public final class Check {

    private Check() {
    }

    public static double range(String field, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) {
            throw new IllegalArgumentException(field + " must be in [" + lo + ", " + hi + "], got " + v);
        }
        return v;
    }

    public static double positive(String field, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(field + " must be a finite number > 0, got " + v);
        }
        return v;
    }

    public static double nonNegative(String field, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(field + " must be a finite number >= 0 (0 = off), got " + v);
        }
        return v;
    }

    public static int atLeast(String field, int v, int lo) {
        if (v < lo) {
            throw new IllegalArgumentException(field + " must be >= " + lo + ", got " + v);
        }
        return v;
    }

    public static long atLeast(String field, long v, long lo) {
        if (v < lo) {
            throw new IllegalArgumentException(field + " must be >= " + lo + ", got " + v);
        }
        return v;
    }
}
