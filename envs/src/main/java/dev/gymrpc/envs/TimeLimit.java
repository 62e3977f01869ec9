package dev.gymrpc.envs;

import java.util.Map;

/**
 * Truncates episodes after {@code maxEpisodeSteps} steps, as Gymnasium's {@code TimeLimit}:
 * {@code truncated} becomes true on the step that reaches the limit and {@code terminated} is left as
 * the env reported it (both may be true). Stepping past the end without a reset is an error.
 */
public final class TimeLimit<A> implements Env<A> {

    private final Env<A> env;
    private final int maxEpisodeSteps;
    private int elapsed;
    private boolean needsReset = true;

    private TimeLimit(Env<A> env, int maxEpisodeSteps) {
        if (maxEpisodeSteps <= 0) {
            throw new IllegalArgumentException("maxEpisodeSteps must be positive, got " + maxEpisodeSteps);
        }
        this.env = env;
        this.maxEpisodeSteps = maxEpisodeSteps;
    }

    public static <A> TimeLimit<A> wrap(Env<A> env, int maxEpisodeSteps) {
        return new TimeLimit<>(env, maxEpisodeSteps);
    }

    public int maxEpisodeSteps() {
        return maxEpisodeSteps;
    }

    /** Steps taken in the current episode. */
    public int elapsedSteps() {
        return elapsed;
    }

    /** The wrapped env. */
    public Env<A> unwrapped() {
        return env;
    }

    @Override
    public EnvSpec spec() {
        return env.spec();
    }

    @Override
    public Box observationSpace() {
        return env.observationSpace();
    }

    @Override
    public Space<A> actionSpace() {
        return env.actionSpace();
    }

    @Override
    public Reset reset(Long seed, Map<String, ?> options) {
        Reset r = env.reset(seed, options);
        elapsed = 0;
        needsReset = false;
        return r;
    }

    @Override
    public Step step(A action) {
        if (needsReset && elapsed >= maxEpisodeSteps) {
            throw new ResetNeededException("the episode was truncated at the time limit of " + maxEpisodeSteps
                    + " steps; call reset() before step()");
        }
        Step s = env.step(action);
        elapsed++;
        if (elapsed >= maxEpisodeSteps && !s.truncated()) {
            s = new Step(s.observation(), s.reward(), s.terminated(), true, s.info());
        }
        if (s.done()) {
            needsReset = true;
        }
        return s;
    }

    @Override
    public RgbImage render() {
        return env.render();
    }

    @Override
    public int renderFps() {
        return env.renderFps();
    }

    @Override
    public void close() {
        env.close();
    }

    @Override
    public String toString() {
        return "TimeLimit<" + env + ", " + maxEpisodeSteps + ">";
    }
}
