package dev.gymrpc.agents;

/**
 * Periodic evaluation during training on a separate env instance (the paper evaluates the argmax action
 * every 10 episodes for SAC on LunarLander).
 *
 * @param everyEpisodes evaluate after every this many training episodes (0 = never by episodes)
 * @param everySteps    evaluate when this many env steps have passed since the last evaluation (0 = never by steps)
 * @param episodes      evaluation episodes per evaluation, >= 1
 * @param deterministic argmax actions (true) or sampled actions
 * @param stopAtMeanReturn end the run (as finished, not cancelled) at the first periodic evaluation whose mean
 *                      return is at least this, e.g. an env's "solved" level; NaN = train for the whole budget
 */
public record EvalSchedule(int everyEpisodes, long everySteps, int episodes, boolean deterministic,
                           double stopAtMeanReturn) {

    public static final EvalSchedule NONE = new EvalSchedule(0, 0, 1, true);

    public EvalSchedule {
        if (everyEpisodes < 0 || everySteps < 0) {
            throw new IllegalArgumentException("everyEpisodes and everySteps must be >= 0 (0 = off), got "
                    + everyEpisodes + ", " + everySteps);
        }
        if (episodes < 1) {
            throw new IllegalArgumentException("eval episodes must be >= 1, got " + episodes);
        }
        if (Double.isInfinite(stopAtMeanReturn)) {
            throw new IllegalArgumentException("stopAtMeanReturn must be finite or NaN (off), got " + stopAtMeanReturn);
        }
        if (!Double.isNaN(stopAtMeanReturn) && everyEpisodes == 0 && everySteps == 0) {
            throw new IllegalArgumentException("stopAtMeanReturn needs periodic evaluations (everyEpisodes or everySteps > 0)");
        }
    }

    /** Without an early stop. */
    public EvalSchedule(int everyEpisodes, long everySteps, int episodes, boolean deterministic) {
        this(everyEpisodes, everySteps, episodes, deterministic, Double.NaN);
    }

    /** Whether a good enough evaluation ends the run. */
    public boolean stopsEarly() {
        return !Double.isNaN(stopAtMeanReturn);
    }

    public static EvalSchedule everyEpisodes(int n, int episodes) {
        return new EvalSchedule(n, 0, episodes, true);
    }

    public boolean enabled() {
        return everyEpisodes > 0 || everySteps > 0;
    }
}
