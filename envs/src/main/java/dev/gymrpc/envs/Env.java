package dev.gymrpc.envs;

import java.util.Map;

/**
 * A Gymnasium-shaped environment: {@code reset(seed, options) -> (observation, info)} and
 * {@code step(action) -> (observation, reward, terminated, truncated, info)}.
 *
 * <p>Observations are float arrays in {@link #observationSpace()}. Actions are {@code Integer} for a
 * {@link Discrete} action space and {@code float[]} for a {@link Box} one. Instances are not
 * thread-safe; each owns its random generator.
 *
 * <p>Contract: {@code step} before the first {@code reset}, or after an episode ended (terminated or
 * truncated) without a new {@code reset}, throws {@link ResetNeededException}; an action outside the
 * action space throws {@link InvalidActionException}; {@code reset(seed)} re-seeds the env's generator
 * and {@code reset(null, ...)} continues its stream; {@code close()} may be called any number of times.
 *
 * @param <A> the action type
 */
public interface Env<A> extends AutoCloseable {

    /** Registration data: id, time limit, reward threshold, accepted options. */
    EnvSpec spec();

    Box observationSpace();

    Space<A> actionSpace();

    /**
     * Starts a new episode.
     *
     * @param seed    re-seeds the env's generator when non-null; {@code null} continues the stream
     *                (the first reset without a seed draws a seed from system entropy)
     * @param options per-episode options (env specific); unknown keys are rejected
     */
    Reset reset(Long seed, Map<String, ?> options);

    default Reset reset(long seed) {
        return reset(seed, Map.of());
    }

    default Reset reset() {
        return reset(null, Map.of());
    }

    /** Advances the env by one step with {@code action}. */
    Step step(A action);

    /**
     * Steps with a loosely typed action ({@code Integer}/{@code Long} for Discrete, {@code float[]} or
     * {@code double[]} for Box), converting it through {@link Space#cast}.
     */
    default Step stepObject(Object action) {
        return step(actionSpace().cast(action));
    }

    /** Renders the current state as an RGB image (Gymnasium's {@code rgb_array} mode). */
    RgbImage render();

    /** Frames per second a viewer should play rendered frames at. */
    default int renderFps() {
        return 50;
    }

    /** Releases resources. Idempotent. */
    @Override
    void close();
}
