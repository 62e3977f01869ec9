package dev.gymrpc.server.agent;

import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Space;
import dev.gymrpc.proto.v1.EvaluationSummary;
import dev.gymrpc.server.store.AtomicFiles;

/**
 * How a training run ended.
 *
 * @param globalStep      environment steps done in total (across resumes)
 * @param episodes        training episodes done in total
 * @param stopped         the run returned early because {@link TrainingRun#stopRequested()} was true
 * @param finalEvaluation the final evaluation ({@code null} if stopped or none was asked for)
 * @param model           writes the trained policy in the format {@link AgentBackend#loadPolicy} reads
 *                        ({@code null} if stopped)
 * @param observationSpace the env's observation space
 * @param actionSpace     the env's action space
 * @param note            why a finished run ended before its budget (an evaluation reached
 *                        {@code stop_at_mean_return}), else null
 */
public record TrainingOutcome(long globalStep, long episodes, boolean stopped, EvaluationSummary finalEvaluation,
                              AtomicFiles.Content model, Box observationSpace, Space<?> actionSpace, String note) {

    public TrainingOutcome(long globalStep, long episodes, boolean stopped, EvaluationSummary finalEvaluation,
                           AtomicFiles.Content model, Box observationSpace, Space<?> actionSpace) {
        this(globalStep, episodes, stopped, finalEvaluation, model, observationSpace, actionSpace, null);
    }
}
