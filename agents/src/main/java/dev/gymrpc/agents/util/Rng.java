package dev.gymrpc.agents.util;

import java.util.random.RandomGenerator;

/**
 * SplitMix64 (Steele, Lea and Flood 2014), the generator behind {@link java.util.SplittableRandom}, with
 * its whole state in one {@code long} so a run's randomness can be checkpointed and resumed exactly.
 * Each run and each component owns one instance; there is no process-wide randomness.
 */
public final class Rng implements RandomGenerator {

    private static final long GOLDEN = 0x9e3779b97f4a7c15L;
    private long state;

    public Rng(long seed) {
        this.state = mix(seed);
    }

    private Rng(long state, boolean raw) {
        this.state = state;
    }

    /** A generator restored from {@link #state()}. */
    public static Rng fromState(long state) {
        return new Rng(state, true);
    }

    /** The full state, for checkpoints. */
    public long state() {
        return state;
    }

    /** An independent child generator (for one component of a run), advancing this one. */
    public Rng split() {
        return new Rng(nextLong());
    }

    @Override
    public long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 bits. */
    @Override
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound) without modulo bias (Lemire's method is overkill here; rejection is exact). */
    @Override
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        int r = (int) (nextLong() >>> 33);
        int m = bound - 1;
        if ((bound & m) == 0) {
            return (int) ((bound * (long) r) >> 31);
        }
        for (int u = r; u - (r = u % bound) + m < 0; u = (int) (nextLong() >>> 33)) {
            // reject
        }
        return r;
    }

    /** Standard normal by the Box-Muller transform (no cached second value, so state stays one long). */
    @Override
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Samples an index from the categorical distribution {@code p[off .. off+n)} (sums to ~1). */
    public int categorical(float[] p, int off, int n) {
        double u = nextDouble();
        double c = 0;
        for (int i = 0; i < n - 1; i++) {
            c += p[off + i];
            if (u < c) {
                return i;
            }
        }
        return n - 1;
    }
}
