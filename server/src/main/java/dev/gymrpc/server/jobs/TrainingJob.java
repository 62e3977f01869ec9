package dev.gymrpc.server.jobs;

import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.JobState;
import dev.gymrpc.proto.v1.ModelInfo;
import dev.gymrpc.proto.v1.TrainingSpec;
import dev.gymrpc.proto.wire.Spaces;
import dev.gymrpc.server.agent.AgentBackend;
import dev.gymrpc.agents.TrainingDivergedException;
import dev.gymrpc.server.agent.TrainingOutcome;
import dev.gymrpc.server.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one training job on a worker thread: RUNNING, the backend's training loop (fresh or from the last
 * checkpoint), the final evaluation, the model with its provenance into the store, SUCCEEDED; or FAILED
 * with the error, CANCELLED / INTERRUPTED when asked to stop. Nothing thrown here escapes to the pool:
 * a failing job never takes the server down.
 */
final class TrainingJob implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingJob.class);

    /** What a resumed job's RUNNING event says about the episode that was cut off. */
    static final String EPISODE_RESTARTS = "the episode that was running restarts from a fresh reset "
            + "(env state is not checkpointed)";

    private final ManagedJob job;
    private final Store store;
    private final AgentBackend backend;

    TrainingJob(ManagedJob job, Store store, AgentBackend backend) {
        this.job = job;
        this.store = store;
        this.backend = backend;
    }

    @Override
    public void run() {
        JobRunners.runGuarded(job, "job", LOG, this::runJob);
    }

    private void runJob() throws Exception {
        if (JobRunners.endIfStopped(job)) {
            return;
        }
        Job rec = job.snapshot();
        TrainingSpec spec = rec.getTraining();
        try (RunReporter rep = new RunReporter(job, spec, "", spec.getSeed(), store.jobDir(job.id()), null,
                (p, f) -> p.setFraction(f))) {
            // Checkpoints hold the agent (networks, optimisers, counters, replay buffer) but not the env's
            // physics state, so the episode that was running when the job stopped is not continued: say so.
            String how = rep.resumeFrom().map(c -> "resumed from the checkpoint at step " + c.globalStep()
                            + "; " + EPISODE_RESTARTS)
                    .orElse(rec.getStartedUnixMs() > 0 ? "restarted from step 0 (no checkpoint had been written)" : "");
            long from = rep.globalStep();
            job.transition(JobState.JOB_STATE_RUNNING, how,
                    r -> r.setProgress(r.getProgress().toBuilder().setGlobalStep(from).setEpisodes(rep.episodes())));
            LOG.info("job {} running: {} {}", job.id(), rec.getLabel(), how);
            TrainingOutcome out;
            try {
                out = backend.train(spec, rep);
            } catch (TrainingDivergedException e) {
                rep.finish(rep.globalStep(), rep.episodes());
                fail(e.getMessage());
                return;
            }
            rep.finish(out.globalStep(), out.episodes());
            if (out.stopped() || job.stopReason() != null) {
                JobRunners.endStopped(job);
                return;
            }
            if (out.finalEvaluation() != null) {
                rep.recordEvaluation(out.finalEvaluation(), true);
            }
            String modelId = "model-" + job.id().substring("job-".length());
            ModelInfo.Builder info = ModelInfo.newBuilder().setModelId(modelId).setAlgorithmName(spec.getAlgorithmName())
                    .setAlgorithm(spec.getAlgorithm())
                    .setEnvId(spec.getEnvId()).setSpec(spec).setJobId(job.id()).setLabel(rec.getLabel())
                    .setCreatedUnixMs(System.currentTimeMillis()).setGlobalStep(out.globalStep())
                    .setEpisodes(out.episodes()).putAllVersions(backend.versions())
                    .setObservationSpace(Spaces.toProto(out.observationSpace()))
                    .setActionSpace(Spaces.toProto(out.actionSpace()));
            if (out.finalEvaluation() != null) {
                info.setFinalEvaluation(out.finalEvaluation());
            }
            ModelInfo stored = store.putModel(info.build(), out.model());
            job.transition(JobState.JOB_STATE_SUCCEEDED, out.note() == null ? "" : out.note(),
                    r -> r.setModelId(stored.getModelId()));
            LOG.info("job {} succeeded after {} steps / {} episodes; model {}", job.id(), out.globalStep(),
                    out.episodes(), stored.getModelId());
        }
    }

    private void fail(String reason) {
        JobRunners.fail(job, "job", LOG, reason);
    }
}
