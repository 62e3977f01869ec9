package dev.gymrpc.agents;

import java.util.Map;

/**
 * Callbacks during {@link Trainer#train}, on the training thread. Metric maps have a stable iteration
 * order (insertion order, the same every update) and SB3/CleanRL names such as {@code losses/qf1_loss}.
 * A listener that throws aborts the run with that exception.
 */
public interface TrainingListener {

    TrainingListener NONE = new TrainingListener() {
    };

    /** A training episode finished. */
    default void onEpisode(EpisodeStats episode) {
    }

    /**
     * An update finished.
     *
     * @param envSteps env steps so far
     * @param update   1-based update count (SAC: gradient updates; PPO: rollout updates)
     * @param metrics  diagnostics of this update
     */
    default void onUpdate(long envSteps, long update, Map<String, Double> metrics) {
    }

    /** A scheduled evaluation finished. */
    default void onEvaluation(long envSteps, long episodes, EvalResult result) {
    }
}
