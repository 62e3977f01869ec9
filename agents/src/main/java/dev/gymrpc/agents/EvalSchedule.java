package dev.gymrpc.agents;

/**
 * Periodic evaluation during training on a separate env instance (the paper evaluates the argmax action
 * every 10 episodes for SAC on LunarLander).
 *
 * @param everyEpisodes evaluate after every this many training episodes (0 = never by episodes)
 * @param everySteps    evaluate when this many env steps have passed since the last evaluation (0 = never by steps)
 * @param episodes      evaluation episodes per evaluation, >= 1
 * @param deterministic argmax actions (true) or sampled actions
 */
public record EvalSchedule(int everyEpisodes, long everySteps, int episodes, boolean deterministic) {

    public static final EvalSchedule NONE = new EvalSchedule(0, 0, 1, true);

    public EvalSchedule {
        if (everyEpisodes < 0 || everySteps < 0) {
            throw new IllegalArgumentException("everyEpisodes and everySteps must be >= 0 (0 = off), got "
                    + everyEpisodes + ", " + everySteps);
        }
        if (episodes < 1) {
            throw new IllegalArgumentException("eval episodes must be >= 1, got " + episodes);
        }
    }

    public static EvalSchedule everyEpisodes(int n, int episodes) {
        return new EvalSchedule(n, 0, episodes, true);
    }

    public boolean enabled() {
        return everyEpisodes > 0 || everySteps > 0;
    }
}
