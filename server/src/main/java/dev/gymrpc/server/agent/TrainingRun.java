package dev.gymrpc.server.agent;

import dev.gymrpc.proto.v1.EvaluationSummary;
import dev.gymrpc.server.store.AtomicFiles;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a running job offers the {@link AgentBackend} while it trains: where to resume from, whether to
 * stop, and where to report. Called from the training thread only.
 */
public interface TrainingRun {

    /** A checkpoint to continue from: the file and the environment step it was written at. */
    record Checkpoint(Path file, long globalStep) {
    }

    /** The checkpoint to continue from, or empty to start fresh. */
    Optional<Checkpoint> resumeFrom();

    /**
     * Whether the job was cancelled or the server is stopping. Backends check it at least once per
     * environment step and return promptly (the job's cancellation latency is one step).
     */
    boolean stopRequested();

    /** Environment steps between checkpoints ({@code 0} = only when stopping and at the end). */
    long checkpointEverySteps();

    /** A training episode ended. */
    void onEpisode(long globalStep, long episode, double episodicReturn, long length, double discountedReturn,
                   boolean terminated);

    /**
     * One gradient update finished ({@code updates} counts them in the run). {@code metrics} uses the
     * agents module's names ({@code losses/...}, {@code grad/...}, {@code charts/...}). The job averages
     * them between events, checks them for divergence and may throw {@link TrainingDivergedException}.
     */
    void onUpdate(long globalStep, long updates, Map<String, Double> metrics);

    /** A periodic evaluation finished. */
    void onEvaluation(long globalStep, long episode, EvaluationSummary summary);

    /** Stores a checkpoint at {@code globalStep} atomically; {@code content} writes the whole state. */
    void saveCheckpoint(long globalStep, long episodes, AtomicFiles.Content content);

    /**
     * A path in the run's checkpoint directory where a backend whose library writes checkpoint files
     * itself can have them written, before {@link #adoptCheckpoint} moves them into place.
     */
    Path scratchCheckpointFile();

    /**
     * Makes {@code file} (complete, written by the backend in {@link #scratchCheckpointFile()}'s
     * directory) the checkpoint at {@code globalStep}: moved into place by one rename, no copy.
     */
    void adoptCheckpoint(long globalStep, long episodes, Path file);
}
