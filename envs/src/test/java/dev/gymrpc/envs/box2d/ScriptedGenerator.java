package dev.gymrpc.envs.box2d;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.random.RandomGenerator;

/**
 * A generator that replays uniform draws in [0, 1) given in order, to inject the reference's recorded
 * random values. Any other kind of draw, or running out, fails the test.
 */
final class ScriptedGenerator implements RandomGenerator {
    private final Deque<Double> values = new ArrayDeque<>();
    private final RandomGenerator afterwards;

    /** @param afterwards used once the script is exhausted, or null to fail then */
    ScriptedGenerator(RandomGenerator afterwards) {
        this.afterwards = afterwards;
    }

    /** Queues the unit draw that makes {@code low + (high - low) * u} equal {@code target}. */
    ScriptedGenerator uniform(double target, double low, double high) {
        values.add((target - low) / (high - low));
        return this;
    }

    int remaining() {
        return values.size();
    }

    @Override
    public double nextDouble() {
        Double v = values.poll();
        if (v != null) {
            return v;
        }
        if (afterwards == null) {
            throw new AssertionError("the scripted draws are exhausted");
        }
        return afterwards.nextDouble();
    }

    @Override
    public long nextLong() {
        if (afterwards == null || !values.isEmpty()) {
            throw new AssertionError("unexpected nextLong() while replaying scripted uniform draws");
        }
        return afterwards.nextLong();
    }
}
