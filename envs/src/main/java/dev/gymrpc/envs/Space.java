package dev.gymrpc.envs;

import java.util.random.RandomGenerator;

/**
 * A Gymnasium-style space: the set of valid observations or actions.
 *
 * <p>Two kinds exist, as in Gymnasium's most used spaces: {@link Discrete} (integers
 * {@code start .. start+n-1}, Java type {@code Integer}) and {@link Box} (float arrays with per-element
 * bounds, Java type {@code float[]}).
 *
 * @param <T> the Java type of the space's elements
 */
public sealed interface Space<T> permits Discrete, Box {

    /** Whether {@code value} is an element of this space (type, shape, bounds). */
    boolean contains(T value);

    /** Samples an element uniformly (bounded) or as Gymnasium does for unbounded dimensions. */
    T sample(RandomGenerator rng);

    /**
     * Converts a loosely typed value (for example one decoded from the wire) to this space's type,
     * without range checks. Throws {@link InvalidActionException} if the value cannot be converted.
     */
    T cast(Object value);

    /** Flat number of scalar elements of one value ({@code 1} for Discrete). */
    int flatSize();
}
