package dev.gymrpc.server.agent;

import static dev.gymrpc.server.agent.Rpc.awaitFinal;
import static dev.gymrpc.server.agent.Rpc.awaitJob;
import static dev.gymrpc.server.agent.Rpc.awaitState;
import static dev.gymrpc.server.agent.Rpc.fails;
import static dev.gymrpc.server.agent.Rpc.reason;
import static dev.gymrpc.server.agent.Rpc.sacSpec;
import static dev.gymrpc.server.agent.Rpc.watchAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.gymrpc.proto.v1.ActRequest;
import dev.gymrpc.proto.v1.ActResponse;
import dev.gymrpc.proto.v1.BenchmarkRow;
import dev.gymrpc.proto.v1.BenchmarkScore;
import dev.gymrpc.proto.v1.BenchmarkVariant;
import dev.gymrpc.proto.v1.CancelJobRequest;
import dev.gymrpc.proto.v1.DeleteModelRequest;
import dev.gymrpc.proto.v1.EvaluateRequest;
import dev.gymrpc.proto.v1.EvaluateResponse;
import dev.gymrpc.proto.v1.GetModelRequest;
import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.JobEvent;
import dev.gymrpc.proto.v1.JobKind;
import dev.gymrpc.proto.v1.JobState;
import dev.gymrpc.proto.v1.ListJobsRequest;
import dev.gymrpc.proto.v1.ListModelsRequest;
import dev.gymrpc.proto.v1.ModelChunk;
import dev.gymrpc.proto.v1.ModelInfo;
import dev.gymrpc.proto.v1.ResumeJobRequest;
import dev.gymrpc.proto.v1.RunBenchmarkRequest;
import dev.gymrpc.proto.v1.StartTrainingRequest;
import dev.gymrpc.proto.v1.WatchJobRequest;
import dev.gymrpc.proto.wire.Tensors;
import dev.gymrpc.server.jobs.JobManager;
import dev.gymrpc.server.jobs.JobsConfig;
import dev.gymrpc.server.store.MetricsCsv;
import dev.gymrpc.server.store.Store;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent service's job, store and watch machinery over an in-process gRPC server, with the scripted
 * {@link FakeBackend} so each behaviour (queueing, cancellation, divergence, resume, restart, flow
 * control) can be provoked exactly. The real agents run in {@link AgentServiceTrainingTest}.
 */
class AgentServiceJobsTest {

    @TempDir
    Path tmp;

    private AgentTestServer server(FakeBackend backend, int workers, int maxQueued) throws Exception {
        return new AgentTestServer(tmp.resolve("store"), backend,
                new JobsConfig(workers, maxQueued, Duration.ofSeconds(10)));
    }

    private static Job start(AgentTestServer s, dev.gymrpc.proto.v1.TrainingSpec.Builder spec) {
        return s.blocking().startTraining(StartTrainingRequest.newBuilder().setSpec(spec).build());
    }

    @Test
    void trainWatchActDownloadDelete() throws Exception {
        try (AgentTestServer s = server(new FakeBackend(0), 1, 4)) {
            Job j = start(s, sacSpec(1, 200));
            assertEquals(JobKind.JOB_KIND_TRAINING, j.getKind());
            assertTrue(j.getJobId().matches("job-[0-9a-f]{8}"), j.getJobId());
            // The resolved spec carries the preset's values explicitly.
            assertEquals("fourrooms", j.getTraining().getPreset());
            assertEquals(0.99, j.getTraining().getSac().getGamma());
            assertEquals(10_000, j.getTraining().getSac().getBufferSize());
            assertEquals(10, j.getTraining().getEvaluation().getFinalEpisodes());

            List<JobEvent> events = watchAll(s.blocking(), j.getJobId(), 0);
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i, events.get(i).getOffset(), "offsets are dense from 0");
            }
            assertEquals(JobState.JOB_STATE_QUEUED, events.get(0).getState().getState());
            JobEvent last = events.get(events.size() - 1);
            assertEquals(JobState.JOB_STATE_SUCCEEDED, last.getState().getState(), "stream ends with the final state");
            assertEquals(20, events.stream().filter(JobEvent::hasEpisode).count());
            assertTrue(events.stream().filter(JobEvent::hasUpdate).allMatch(e -> e.getUpdate().containsMetrics("losses/qf_loss")));
            assertTrue(events.stream().anyMatch(e -> e.hasEvaluation() && e.getEvaluation().getIsFinal()));

            Job done = awaitFinal(s.blocking(), j.getJobId());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState());
            assertEquals(200, done.getProgress().getGlobalStep());
            assertEquals(1.0, done.getProgress().getFraction(), 1e-9);
            assertEquals(events.size(), done.getEventCount());
            String modelId = done.getModelId();
            assertEquals("model-" + j.getJobId().substring(4), modelId);

            // Store: job.json, events.jsonl, metrics.csv with CleanRL/SB3 names.
            Path jobDir = s.storeDir.resolve("jobs").resolve(j.getJobId());
            assertTrue(Files.exists(jobDir.resolve("job.json")));
            assertEquals(events.size(), Files.readAllLines(jobDir.resolve("events.jsonl")).size());
            List<MetricsCsv.Row> rows = MetricsCsv.read(jobDir.resolve("metrics.csv"));
            assertEquals(20, rows.stream().filter(r -> r.name().equals("charts/episodic_return")).count());
            assertTrue(rows.stream().anyMatch(r -> r.name().equals("losses/qf_loss")));
            assertTrue(rows.stream().anyMatch(r -> r.name().equals("eval_final/mean_reward")));

            // Model provenance.
            ModelInfo info = s.blocking().listModels(ListModelsRequest.getDefaultInstance()).getModels(0);
            assertEquals(modelId, info.getModelId());
            assertEquals(j.getJobId(), info.getJobId());
            assertEquals(done.getTraining(), info.getSpec());
            assertEquals("1", info.getVersionsOrThrow("fake"));
            assertEquals(200, info.getGlobalStep());
            assertTrue(info.hasFinalEvaluation());
            assertTrue(info.getObservationSpace().hasBox());

            // Act: the fake policy goes right (3) left of x = 0.5, up (0) right of it.
            ActResponse act = s.blocking().act(ActRequest.newBuilder().setModelId(modelId)
                    .setObservations(Tensors.ofFloats(new float[] {0.1f, 0.2f, 0.9f, 0.5f}, 2, 2)).build());
            assertEquals(List.of(2L), act.getActions().getShapeList());
            assertEquals(List.of(3L, 0L), act.getActions().getInt64S().getValuesList());
            assertEquals(List.of(2L, 4L), act.getProbabilities().getShapeList());
            assertEquals(0.7f, act.getProbabilities().getFloats().getValues(3), 1e-6);
            // One observation without a batch dimension is a batch of one.
            ActResponse one = s.blocking().act(ActRequest.newBuilder().setModelId(modelId)
                    .setObservations(Tensors.ofFloats(new float[] {0.9f, 0.9f}, 2)).build());
            assertEquals(List.of(0L), one.getActions().getInt64S().getValuesList());
            // Sampling is reproducible per seed.
            ActRequest sample = ActRequest.newBuilder().setModelId(modelId).setDeterministic(false).setSeed(5)
                    .setObservations(Tensors.ofFloats(new float[64], 32, 2)).build();
            assertEquals(s.blocking().act(sample).getActions(), s.blocking().act(sample).getActions());

            // Evaluate on FourRooms: per-episode results, reproducible.
            EvaluateRequest ev = EvaluateRequest.newBuilder().setModelId(modelId).setEpisodes(3).setSeed(7).build();
            EvaluateResponse r1 = s.blocking().evaluate(ev);
            assertEquals(3, r1.getSummary().getReturnsCount());
            assertEquals(3, r1.getSummary().getLengthsCount());
            assertEquals(r1, s.blocking().evaluate(ev));
            double mean = r1.getSummary().getReturnsList().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertEquals(mean, r1.getSummary().getMeanReturn(), 1e-9);

            // Download: chunks in order, the first with the info, bytes = the stored file.
            Iterator<ModelChunk> chunks = s.blocking().getModel(GetModelRequest.newBuilder().setModelId(modelId).build());
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            boolean first = true;
            while (chunks.hasNext()) {
                ModelChunk c = chunks.next();
                assertEquals(first, c.hasInfo());
                assertEquals(got.size(), c.getOffset());
                c.getData().writeTo(got);
                first = false;
            }
            byte[] file = Files.readAllBytes(s.storeDir.resolve("models").resolve(modelId).resolve("model.bin"));
            assertArrayEquals(file, got.toByteArray());
            assertEquals(info.getSha256(), Store.sha256(s.storeDir.resolve("models").resolve(modelId).resolve("model.bin")));

            s.blocking().deleteModel(DeleteModelRequest.newBuilder().setModelId(modelId).build());
            fails(Status.Code.NOT_FOUND, () -> s.blocking().getModel(GetModelRequest.newBuilder().setModelId(modelId)
                    .build()).hasNext());
            assertEquals(0, s.blocking().listModels(ListModelsRequest.getDefaultInstance()).getModelsCount());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, s.blocking().listJobs(ListJobsRequest.getDefaultInstance())
                    .getJobs(0).getState(), "the job keeps its record");
        }
    }

    @Test
    void watchResumesFromOffsetAndCancelledWatchFreesItsListener() throws Exception {
        FakeBackend backend = new FakeBackend(2);
        try (AgentTestServer s = server(backend, 1, 4)) {
            Job j = start(s, sacSpec(2, 400));
            // First watcher: read 15 events, then cancel the call.
            List<JobEvent> firstPart = new ArrayList<>();
            try (Context.CancellableContext ctx = Context.current().withCancellation()) {
                ctx.run(() -> {
                    Iterator<JobEvent> it = s.blocking.watchJob(WatchJobRequest.newBuilder().setJobId(j.getJobId()).build());
                    while (firstPart.size() < 15) {
                        firstPart.add(it.next());
                    }
                });
                ctx.cancel(null);
            }
            var log = s.runtime.jobs().job(j.getJobId()).log();
            long deadline = System.currentTimeMillis() + 5000;
            while (log.listenerCount() > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, log.listenerCount(), "a cancelled watch unregisters from the event log");
            // Reconnect from the next offset: nothing missed, nothing twice.
            List<JobEvent> rest = watchAll(s.blocking(), j.getJobId(), firstPart.get(14).getOffset() + 1);
            List<JobEvent> all = new ArrayList<>(firstPart);
            all.addAll(rest);
            List<JobEvent> stored = s.runtime.store().readEvents(j.getJobId());
            assertEquals(stored, all);
            assertEquals(JobState.JOB_STATE_SUCCEEDED, all.get(all.size() - 1).getState().getState());
            // A finished job's watch replays the log and ends.
            assertEquals(stored, watchAll(s.blocking(), j.getJobId(), 0));
            // progress_only leaves out episodes and updates.
            List<JobEvent> progress = new ArrayList<>();
            s.blocking().watchJob(WatchJobRequest.newBuilder().setJobId(j.getJobId()).setProgressOnly(true).build())
                    .forEachRemaining(progress::add);
            assertTrue(progress.stream().noneMatch(e -> e.hasEpisode() || e.hasUpdate()));
            assertTrue(progress.stream().anyMatch(JobEvent::hasProgress));
        }
    }

    @Test
    void slowWatcherIsFlowControlled() throws Exception {
        try (AgentTestServer s = server(new FakeBackend(0), 1, 4)) {
            Job j = start(s, sacSpec(3, 3000));
            awaitFinal(s.blocking(), j.getJobId());
            // A client that requests one message at a time still receives everything, in order.
            List<JobEvent> got = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            s.async.watchJob(WatchJobRequest.newBuilder().setJobId(j.getJobId()).build(),
                    new io.grpc.stub.ClientResponseObserver<WatchJobRequest, JobEvent>() {
                        io.grpc.stub.ClientCallStreamObserver<WatchJobRequest> call;

                        @Override
                        public void beforeStart(io.grpc.stub.ClientCallStreamObserver<WatchJobRequest> c) {
                            call = c;
                            c.disableAutoRequestWithInitial(1);
                        }

                        @Override
                        public void onNext(JobEvent e) {
                            got.add(e);
                            call.request(1);
                        }

                        @Override
                        public void onError(Throwable t) {
                            done.countDown();
                        }

                        @Override
                        public void onCompleted() {
                            done.countDown();
                        }
                    });
            assertTrue(done.await(30, TimeUnit.SECONDS));
            assertEquals(s.blocking().getJob(dev.gymrpc.proto.v1.GetJobRequest.newBuilder().setJobId(j.getJobId())
                    .build()).getEventCount(), got.size());
            System.out.println("flow-controlled watch delivered " + got.size() + " events one request at a time");
        }
    }

    @Test
    void queueCapCancelAndResume() throws Exception {
        FakeBackend backend = new FakeBackend(2);
        try (AgentTestServer s = server(backend, 1, 1)) {
            Job a = start(s, sacSpec(4, 2000).setCheckpointEverySteps(100));
            awaitState(s.blocking(), a.getJobId(), JobState.JOB_STATE_RUNNING);
            Job b = start(s, sacSpec(5, 100));
            assertEquals(JobState.JOB_STATE_QUEUED, b.getState());
            var full = fails(Status.Code.RESOURCE_EXHAUSTED, () -> start(s, sacSpec(6, 100)));
            assertEquals(AgentErrors.JOB_QUEUE_FULL, reason(full));
            assertEquals(2, s.blocking().listJobs(ListJobsRequest.getDefaultInstance()).getJobsCount(),
                    "a refused job leaves no record");

            Job bc = s.blocking().cancelJob(CancelJobRequest.newBuilder().setJobId(b.getJobId()).build());
            assertEquals(JobState.JOB_STATE_CANCELLED, bc.getState(), "a queued job is cancelled at once");

            awaitJob(s.blocking(), a.getJobId(), x -> x.getProgress().getGlobalStep() >= 300);
            long t0 = System.nanoTime();
            Job ac = s.blocking().cancelJob(CancelJobRequest.newBuilder().setJobId(a.getJobId()).build());
            System.out.printf("cancel of a running job took %.1f ms%n", (System.nanoTime() - t0) / 1e6);
            assertEquals(JobState.JOB_STATE_CANCELLED, ac.getState());
            assertTrue(ac.getReason().contains("cancelled"), ac.getReason());
            long stoppedAt = ac.getCheckpointStep();
            assertTrue(stoppedAt >= 300, "the fake writes a checkpoint when asked to stop: " + stoppedAt);
            var again = fails(Status.Code.FAILED_PRECONDITION,
                    () -> s.blocking().cancelJob(CancelJobRequest.newBuilder().setJobId(a.getJobId()).build()));
            assertEquals(AgentErrors.JOB_STATE, reason(again));

            Job resumed = s.blocking().resumeJob(ResumeJobRequest.newBuilder().setJobId(a.getJobId()).build());
            assertEquals(1, resumed.getResumeCount());
            Job end = awaitFinal(s.blocking(), a.getJobId());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, end.getState(), end.getReason());
            assertEquals(stoppedAt, backend.lastStartStep, "resumed from the checkpoint");
            assertEquals(2000, end.getProgress().getGlobalStep());
            assertStrictlyIncreasingEpisodes(s.storeDir.resolve("jobs").resolve(a.getJobId()).resolve("metrics.csv"));
            List<JobEvent> events = watchAll(s.blocking(), a.getJobId(), 0);
            assertTrue(events.stream().anyMatch(e -> e.hasState() && e.getState().getReason()
                    .startsWith("resumed from the checkpoint at step " + stoppedAt + "; the episode that was running restarts")));
        }
    }

    /** No stretch of the curve is written twice across a stop and resume. */
    static void assertStrictlyIncreasingEpisodes(Path metrics) throws Exception {
        long prevStep = -1;
        long prevEpisode = -1;
        for (MetricsCsv.Row r : MetricsCsv.read(metrics)) {
            if (r.name().equals("charts/episodic_return")) {
                assertTrue(r.globalStep() > prevStep && r.episode() == prevEpisode + 1,
                        "episode rows continue without gaps or repeats: " + r);
                prevStep = r.globalStep();
                prevEpisode = r.episode();
            }
        }
        assertTrue(prevEpisode > 0);
    }

    @Test
    void divergingAndFailingJobsFailWithAReasonAndTheServerCarriesOn() throws Exception {
        try (AgentTestServer s = server(new FakeBackend(0), 2, 8)) {
            Job nan = start(s, sacSpec(666, 1000));
            Job explode = start(s, sacSpec(667, 1000));
            Job boom = start(s, sacSpec(13, 1000));
            Job nanEnd = awaitFinal(s.blocking(), nan.getJobId());
            assertEquals(JobState.JOB_STATE_FAILED, nanEnd.getState());
            assertTrue(nanEnd.getReason().contains("training diverged at update 50 (env step 50): losses/qf_loss = NaN"),
                    nanEnd.getReason());
            Job explodeEnd = awaitFinal(s.blocking(), explode.getJobId());
            assertEquals(JobState.JOB_STATE_FAILED, explodeEnd.getState());
            assertTrue(explodeEnd.getReason().contains("grad/critic_norm = 1.0E9 > abort_grad_norm 1000000.0"),
                    explodeEnd.getReason());
            Job boomEnd = awaitFinal(s.blocking(), boom.getJobId());
            assertEquals(JobState.JOB_STATE_FAILED, boomEnd.getState());
            assertTrue(boomEnd.getReason().contains("scripted failure for seed 13"), boomEnd.getReason());
            // The server still trains.
            Job ok = start(s, sacSpec(1, 50));
            assertEquals(JobState.JOB_STATE_SUCCEEDED, awaitFinal(s.blocking(), ok.getJobId()).getState());
            assertEquals(3, s.blocking().listJobs(ListJobsRequest.newBuilder().setState(JobState.JOB_STATE_FAILED)
                    .build()).getJobsCount());
        }
    }

    @Test
    void restartKeepsFinishedWorkAndInterruptedJobsResumeWithTheirStepCounter() throws Exception {
        FakeBackend backend = new FakeBackend(1);
        AgentTestServer s = server(backend, 1, 4);
        try {
            Job finished = start(s, sacSpec(8, 100));
            String modelId = awaitFinal(s.blocking(), finished.getJobId()).getModelId();
            ModelInfo before = s.blocking().listModels(ListModelsRequest.getDefaultInstance()).getModels(0);

            Job running = start(s, sacSpec(9, 1_000_000).setCheckpointEverySteps(50));
            awaitJob(s.blocking(), running.getJobId(), x -> x.getCheckpointStep() >= 100);
            s.restart();

            Job interrupted = s.blocking().getJob(dev.gymrpc.proto.v1.GetJobRequest.newBuilder()
                    .setJobId(running.getJobId()).build());
            assertEquals(JobState.JOB_STATE_INTERRUPTED, interrupted.getState());
            assertTrue(interrupted.getReason().contains("resume"), interrupted.getReason());
            long ckpt = interrupted.getCheckpointStep();
            assertTrue(ckpt >= 100);
            Job fin = s.blocking().getJob(dev.gymrpc.proto.v1.GetJobRequest.newBuilder().setJobId(finished.getJobId()).build());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, fin.getState());
            ModelInfo after = s.blocking().listModels(ListModelsRequest.getDefaultInstance()).getModels(0);
            assertEquals(before, after, "a finished model survives the restart unchanged");
            assertEquals(before.getSha256(), Store.sha256(s.storeDir.resolve("models").resolve(modelId).resolve("model.bin")));
            // The watch of the interrupted job replays everything and ends with INTERRUPTED.
            List<JobEvent> ev = watchAll(s.blocking(), running.getJobId(), 0);
            assertEquals(JobState.JOB_STATE_INTERRUPTED, ev.get(ev.size() - 1).getState().getState());

            s.blocking().resumeJob(ResumeJobRequest.newBuilder().setJobId(running.getJobId()).build());
            Job again = awaitJob(s.blocking(), running.getJobId(),
                    x -> x.getState() == JobState.JOB_STATE_RUNNING && x.getProgress().getGlobalStep() > ckpt + 20);
            assertEquals(ckpt, backend.lastStartStep, "the resumed run starts at the checkpoint's step");
            assertTrue(again.getProgress().getGlobalStep() > ckpt);
            s.blocking().cancelJob(CancelJobRequest.newBuilder().setJobId(running.getJobId()).build());
            assertStrictlyIncreasingEpisodes(s.storeDir.resolve("jobs").resolve(running.getJobId()).resolve("metrics.csv"));
        } finally {
            s.close();
        }
    }

    /**
     * Update metrics are averaged until the next episode ends; a checkpoint between two episode ends writes
     * what it has first, so a restart that resumes from that checkpoint (dropping the later rows) loses no
     * update's metrics. FakeBackend: one update per step, an episode every 10 steps, checkpoints every 25.
     */
    @Test
    void updateMetricsUpToTheCheckpointSurviveARestart() throws Exception {
        FakeBackend backend = new FakeBackend(1);
        AgentTestServer s = server(backend, 1, 4);
        try {
            Job running = start(s, sacSpec(9, 1_000_000).setCheckpointEverySteps(25));
            awaitJob(s.blocking(), running.getJobId(), x -> x.getCheckpointStep() >= 125);
            s.restart();
            long ckpt = s.blocking().getJob(dev.gymrpc.proto.v1.GetJobRequest.newBuilder()
                    .setJobId(running.getJobId()).build()).getCheckpointStep();
            s.blocking().resumeJob(ResumeJobRequest.newBuilder().setJobId(running.getJobId()).build());
            awaitJob(s.blocking(), running.getJobId(),
                    x -> x.getState() == JobState.JOB_STATE_RUNNING && x.getProgress().getGlobalStep() > ckpt + 40);
            s.blocking().cancelJob(CancelJobRequest.newBuilder().setJobId(running.getJobId()).build());
            awaitFinal(s.blocking(), running.getJobId());
            Path metrics = s.storeDir.resolve("jobs").resolve(running.getJobId()).resolve("metrics.csv");
            java.util.Set<Long> updateSteps = new java.util.TreeSet<>();
            for (MetricsCsv.Row r : MetricsCsv.read(metrics)) {
                if (r.name().equals("losses/qf_loss")) {
                    updateSteps.add(r.globalStep());
                }
            }
            for (long c = 25; c <= ckpt; c += 25) {
                assertTrue(updateSteps.contains(c), "update metrics written at the checkpoint at step " + c
                        + " (rows at " + updateSteps + ")");
            }
            assertTrue(updateSteps.stream().anyMatch(x -> x > ckpt), "the resumed run goes on writing: " + updateSteps);
            assertStrictlyIncreasingEpisodes(metrics);
        } finally {
            s.close();
        }
    }

    @Test
    void aCrashLeavesRunningRecordsThatTheNextStartMarksInterrupted() throws Exception {
        Store store = Store.open(tmp.resolve("crash"));
        Job running = Job.newBuilder().setJobId("job-0000abcd").setKind(JobKind.JOB_KIND_TRAINING)
                .setState(JobState.JOB_STATE_RUNNING).setCreatedUnixMs(1).build();
        store.saveJob(running);
        Files.writeString(store.jobDir("job-0000abcd").resolve("events.jsonl"), "{\"offset\":\"0\"}\n{\"offs");
        try (JobManager jm = new JobManager(store, new FakeBackend(0), JobsConfig.defaults())) {
            Job j = jm.get("job-0000abcd");
            assertEquals(JobState.JOB_STATE_INTERRUPTED, j.getState());
            assertEquals(2, j.getEventCount(), "the torn line is dropped, the INTERRUPTED event appended");
        }
        assertFalse(Files.list(store.root().resolve("jobs").resolve("job-0000abcd"))
                .anyMatch(p -> p.getFileName().toString().startsWith(".tmp-")));
    }

    @Test
    void benchmarkTableWithConfidenceIntervals() throws Exception {
        try (AgentTestServer s = server(new FakeBackend(0), 1, 4)) {
            RunBenchmarkRequest req = RunBenchmarkRequest.newBuilder()
                    .addVariants(BenchmarkVariant.newBuilder().setName("sac").setSpec(sacSpec(0, 100)))
                    .addVariants(BenchmarkVariant.newBuilder().setName("sac+grokfast").setSpec(sacSpec(0, 200)
                            .setAugmentations(dev.gymrpc.proto.v1.Augmentations.newBuilder().setGrokfast(true))))
                    .addSeeds(1).addSeeds(2).addSeeds(3)
                    .setScore(BenchmarkScore.BENCHMARK_SCORE_LAST_EPISODES_MEAN).setLastEpisodes(5)
                    .build();
            Job j = s.blocking().runBenchmark(req);
            assertEquals(JobKind.JOB_KIND_BENCHMARK, j.getKind());
            assertTrue(j.getBenchmark().getVariants(1).getSpec().getAugmentations().getGrokfast());
            List<JobEvent> events = watchAll(s.blocking(), j.getJobId(), 0);
            assertEquals(6, events.stream().filter(JobEvent::hasBenchmarkRun).count());
            assertTrue(events.stream().filter(JobEvent::hasEpisode).allMatch(e -> !e.getVariant().isEmpty()));
            Job done = awaitFinal(s.blocking(), j.getJobId());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.getReason());
            BenchmarkRow sac = done.getBenchmarkResult().getRows(0);
            BenchmarkRow gf = done.getBenchmarkResult().getRows(1);
            assertEquals(3, sac.getN());
            // Fake returns are -10 + step/1000 at every 10th step: the last 5 episodes of 100 steps end at
            // steps 60..100, of 200 steps at 160..200; the same for every seed, so the interval is a point.
            assertEquals(-10 + 0.08, sac.getMean(), 1e-9);
            assertEquals(-10 + 0.18, gf.getMean(), 1e-9);
            assertEquals(sac.getMean(), sac.getCi95Low(), 1e-9);
            assertEquals(List.of(1L, 2L, 3L), sac.getSeedsList());
            assertTrue(Files.exists(s.storeDir.resolve("jobs").resolve(j.getJobId()).resolve("benchmark.csv")));
            assertTrue(Files.exists(s.storeDir.resolve("jobs").resolve(j.getJobId()).resolve("runs")
                    .resolve("sac+grokfast").resolve("seed-2").resolve("metrics.csv")));
        }
    }

    @Test
    void streamsHonourTheirObserversAsync() throws Exception {
        // GetModel through the async stub with auto flow control: same bytes as the blocking one.
        try (AgentTestServer s = server(new FakeBackend(0), 1, 4)) {
            Job j = start(s, sacSpec(1, 20));
            String modelId = awaitFinal(s.blocking(), j.getJobId()).getModelId();
            List<ByteString> parts = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            s.async.getModel(GetModelRequest.newBuilder().setModelId(modelId).build(), new StreamObserver<>() {
                @Override
                public void onNext(ModelChunk c) {
                    parts.add(c.getData());
                }

                @Override
                public void onError(Throwable t) {
                    done.countDown();
                }

                @Override
                public void onCompleted() {
                    done.countDown();
                }
            });
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(ByteString.copyFrom(parts).toStringUtf8(), "fake-policy seed 1 steps 20");
        }
    }
}
