package dev.gymrpc.server.agent;

import static dev.gymrpc.server.agent.Rpc.awaitFinal;
import static dev.gymrpc.server.agent.Rpc.watchAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.proto.v1.ActRequest;
import dev.gymrpc.proto.v1.ActResponse;
import dev.gymrpc.proto.v1.Algorithm;
import dev.gymrpc.proto.v1.Augmentations;
import dev.gymrpc.proto.v1.BenchmarkRow;
import dev.gymrpc.proto.v1.BenchmarkScore;
import dev.gymrpc.proto.v1.BenchmarkVariant;
import dev.gymrpc.proto.v1.EvaluateRequest;
import dev.gymrpc.proto.v1.EvaluateResponse;
import dev.gymrpc.proto.v1.EvaluationSchedule;
import dev.gymrpc.proto.v1.GetModelRequest;
import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.JobEvent;
import dev.gymrpc.proto.v1.JobState;
import dev.gymrpc.proto.v1.ModelChunk;
import dev.gymrpc.proto.v1.PpoConfig;
import dev.gymrpc.proto.v1.RunBenchmarkRequest;
import dev.gymrpc.proto.v1.SacConfig;
import dev.gymrpc.proto.v1.StartTrainingRequest;
import dev.gymrpc.proto.v1.TrainingSpec;
import dev.gymrpc.proto.v1.Value;
import dev.gymrpc.proto.wire.Tensors;
import dev.gymrpc.server.jobs.JobsConfig;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path with the real agents (DL4J PPO and Discrete SAC) on small budgets, over an in-process
 * server: train -> watch -> evaluate -> act -> download, PPO on CartPole, determinism per seed, and a
 * tiny benchmark. Budgets are a few hundred steps: these check the wiring, not learning.
 */
class AgentServiceTrainingTest {

    @TempDir
    Path tmp;

    /**
     * SAC on FourRooms with a small network, an early start so a few hundred steps include updates, and
     * episodes truncated at 50 steps so they include several episodes.
     */
    static TrainingSpec.Builder tinySac(long seed, long steps) {
        return TrainingSpec.newBuilder().setAlgorithm(Algorithm.ALGORITHM_SAC).setEnvId("FourRooms-v0").setSeed(seed)
                .setTotalSteps(steps).putEnvOptions("max_episode_steps", Value.newBuilder().setIntValue(50).build())
                .setSac(SacConfig.newBuilder().addHiddenSizes(32).setLearningStarts(100).setBatchSize(32).setBufferSize(2000))
                .setEvaluation(EvaluationSchedule.newBuilder().setEverySteps(300).setEpisodes(2).setFinalEpisodes(3));
    }

    private AgentTestServer server() throws Exception {
        return new AgentTestServer(tmp.resolve("store"), AgentsModuleBackend.standard(),
                new JobsConfig(1, 8, Duration.ofSeconds(30)));
    }

    @Test
    void sacTrainWatchEvaluateActDownload() throws Exception {
        try (AgentTestServer s = server()) {
            long t0 = System.nanoTime();
            Job j = s.blocking().startTraining(StartTrainingRequest.newBuilder().setSpec(tinySac(1, 700)
                    .setAugmentations(Augmentations.newBuilder().setGrokfast(true))).setLabel("sac+grokfast").build());
            List<JobEvent> events = watchAll(s.blocking(), j.getJobId(), 0);
            Job done = awaitFinal(s.blocking(), j.getJobId());
            System.out.printf("SAC FourRooms 700 steps: %.1f s, %d events%n", (System.nanoTime() - t0) / 1e9, events.size());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.getReason());
            assertEquals(700, done.getProgress().getGlobalStep());

            TreeSet<String> names = new TreeSet<>();
            events.stream().filter(JobEvent::hasUpdate).forEach(e -> names.addAll(e.getUpdate().getMetricsMap().keySet()));
            System.out.println("SAC update metrics: " + names);
            assertTrue(names.stream().anyMatch(n -> n.startsWith("losses/")), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.startsWith("grad/")), names.toString());
            assertTrue(events.stream().anyMatch(e -> e.hasEvaluation() && !e.getEvaluation().getIsFinal()),
                    "periodic evaluation every 300 steps");
            JobEvent fin = events.stream().filter(e -> e.hasEvaluation() && e.getEvaluation().getIsFinal()).findFirst()
                    .orElseThrow();
            assertEquals(3, fin.getEvaluation().getSummary().getReturnsCount());
            assertTrue(events.stream().filter(JobEvent::hasEpisode).allMatch(e -> e.getEpisode().getEpisodicLength() > 0));

            String modelId = done.getModelId();
            EvaluateRequest ev = EvaluateRequest.newBuilder().setModelId(modelId).setEpisodes(3).setSeed(11).build();
            EvaluateResponse r = s.blocking().evaluate(ev);
            assertEquals(3, r.getSummary().getReturnsCount());
            assertEquals(r, s.blocking().evaluate(ev), "greedy evaluation with a seed is reproducible");
            for (int i = 0; i < 3; i++) {
                long len = r.getSummary().getLengths(i);
                assertTrue(len >= 1 && len <= 50, "the model's env options (max_episode_steps 50) apply: " + len);
                // FourRooms: -1 per step except the step onto the goal.
                double expected = r.getSummary().getReturns(i);
                assertTrue(expected == -len || expected == -(len - 1), "return " + expected + " for length " + len);
            }

            float[] obs = {0f, 0f, 0.5f, 0.5f, 1f, 1f};
            ActResponse act = s.blocking().act(ActRequest.newBuilder().setModelId(modelId)
                    .setObservations(Tensors.ofFloats(obs, 3, 2)).build());
            assertEquals(List.of(3L, 4L), act.getProbabilities().getShapeList());
            for (int i = 0; i < 3; i++) {
                double sum = 0;
                int best = 0;
                for (int a = 0; a < 4; a++) {
                    float p = act.getProbabilities().getFloats().getValues(i * 4 + a);
                    sum += p;
                    if (p > act.getProbabilities().getFloats().getValues(i * 4 + best)) {
                        best = a;
                    }
                }
                assertEquals(1.0, sum, 1e-5);
                assertEquals(best, act.getActions().getInt64S().getValues(i), "deterministic = argmax");
            }

            // The downloaded file loads into the same policy.
            Iterator<ModelChunk> it = s.blocking().getModel(GetModelRequest.newBuilder().setModelId(modelId).build());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            it.forEachRemaining(c -> bytes.writeBytes(c.getData().toByteArray()));
            Path file = tmp.resolve("downloaded.zip");
            Files.write(file, bytes.toByteArray());
            dev.gymrpc.agents.Policy p = AgentsModuleBackend.standard().loadPolicy(file);
            float[] probs = p.act(new float[] {0f, 0f, 0.5f, 0.5f, 1f, 1f}, 3, true).probabilities();
            for (int i = 0; i < 3; i++) {
                for (int a = 0; a < 4; a++) {
                    assertEquals(act.getProbabilities().getFloats().getValues(i * 4 + a), probs[i * 4 + a], 0f);
                }
            }
        }
    }

    @Test
    void sameSeedSameRunAndPpoOnCartPole() throws Exception {
        try (AgentTestServer s = server()) {
            Job a = s.blocking().startTraining(StartTrainingRequest.newBuilder().setSpec(tinySac(5, 400)).build());
            Job b = s.blocking().startTraining(StartTrainingRequest.newBuilder().setSpec(tinySac(5, 400)).build());
            TrainingSpec ppo = TrainingSpec.newBuilder().setAlgorithm(Algorithm.ALGORITHM_PPO).setEnvId("CartPole-v1")
                    .setSeed(3).setTotalEpisodes(6).setPpo(PpoConfig.newBuilder().addHiddenSizes(16).setNumEnvs(2)
                            .setRolloutSteps(64).setEpochs(2)).build();
            Job c = s.blocking().startTraining(StartTrainingRequest.newBuilder().setSpec(ppo).build());
            double[] ra = returns(watchAll(s.blocking(), a.getJobId(), 0));
            double[] rb = returns(watchAll(s.blocking(), b.getJobId(), 0));
            assertTrue(ra.length > 3);
            assertArrayEquals(ra, rb, "same spec and seed -> same episode returns");

            List<JobEvent> pe = watchAll(s.blocking(), c.getJobId(), 0);
            Job pj = awaitFinal(s.blocking(), c.getJobId());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, pj.getState(), pj.getReason());
            assertEquals("cartpole", pj.getTraining().getPreset());
            assertTrue(pj.getProgress().getEpisodes() >= 6);
            TreeSet<String> names = new TreeSet<>();
            pe.stream().filter(JobEvent::hasUpdate).forEach(e -> names.addAll(e.getUpdate().getMetricsMap().keySet()));
            System.out.println("PPO update metrics: " + names);
            assertTrue(names.stream().anyMatch(n -> n.contains("approx_kl") || n.contains("clip")), names.toString());
        }
    }

    private static double[] returns(List<JobEvent> events) {
        return events.stream().filter(JobEvent::hasEpisode).mapToDouble(e -> e.getEpisode().getEpisodicReturn()).toArray();
    }

    @Test
    void aRealRunInterruptedByARestartResumesFromItsCheckpoint() throws Exception {
        AgentTestServer s = server();
        try {
            Job j = s.blocking().startTraining(StartTrainingRequest.newBuilder().setSpec(tinySac(3, 2500)
                    .setCheckpointEverySteps(200)).build());
            Rpc.awaitJob(s.blocking(), j.getJobId(), x -> x.getCheckpointStep() >= 400);
            s.restart();
            Job interrupted = s.blocking().getJob(dev.gymrpc.proto.v1.GetJobRequest.newBuilder().setJobId(j.getJobId())
                    .build());
            assertEquals(JobState.JOB_STATE_INTERRUPTED, interrupted.getState());
            long ckpt = interrupted.getCheckpointStep();
            assertTrue(ckpt >= 400 && ckpt < 2500, "checkpoint at " + ckpt);
            System.out.println("interrupted at checkpoint step " + ckpt + " of 2500");

            s.blocking().resumeJob(dev.gymrpc.proto.v1.ResumeJobRequest.newBuilder().setJobId(j.getJobId()).build());
            Job done = awaitFinal(s.blocking(), j.getJobId());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.getReason());
            assertEquals(2500, done.getProgress().getGlobalStep(), "the step counter continued to the budget");
            List<JobEvent> events = watchAll(s.blocking(), j.getJobId(), 0);
            assertTrue(events.stream().anyMatch(e -> e.hasState()
                    && e.getState().getReason().startsWith("resumed from the checkpoint at step " + ckpt
                            + "; the episode that was running restarts")));
            // After the resume point the episodes continue: steps increase, indices without gaps or repeats.
            AgentServiceJobsTest.assertStrictlyIncreasingEpisodes(s.storeDir.resolve("jobs").resolve(j.getJobId())
                    .resolve("metrics.csv"));
            long firstAfter = events.stream().filter(e -> e.hasEpisode() && e.getOffset() > events.stream()
                    .filter(x -> x.hasState() && x.getState().getReason().startsWith("resumed")).findFirst()
                    .orElseThrow().getOffset()).findFirst().orElseThrow().getGlobalStep();
            assertTrue(firstAfter > ckpt, "the first episode after the resume ends after the checkpoint step");
        } finally {
            s.close();
        }
    }

    /** Gradient-quality diagnostics asked for in the spec stream as metrics and land in the job's metrics.csv. */
    @Test
    void gradDiagnosticsStreamAsMetricsAndLandInMetricsCsv() throws Exception {
        try (AgentTestServer s = server()) {
            Job j = s.blocking().startTraining(StartTrainingRequest.newBuilder().setSpec(tinySac(4, 400)
                    .setGradDiagnostics(dev.gymrpc.proto.v1.GradientDiagnostics.newBuilder().setEvery(50)
                            .setMinibatches(3).setLargeBatch(4))).build());
            Job done = awaitFinal(s.blocking(), j.getJobId());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.getReason());
            assertEquals(50, done.getTraining().getGradDiagnostics().getEvery());
            TreeSet<String> names = new TreeSet<>();
            watchAll(s.blocking(), j.getJobId(), 0).stream().filter(JobEvent::hasUpdate)
                    .forEach(e -> names.addAll(e.getUpdate().getMetricsMap().keySet()));
            assertTrue(names.contains("gradq/critic_pairwise_cos") && names.contains("gradq/actor_step_true_cos"),
                    names.toString());
            TreeSet<String> csv = new TreeSet<>();
            for (dev.gymrpc.server.store.MetricsCsv.Row r : dev.gymrpc.server.store.MetricsCsv.read(
                    s.storeDir.resolve("jobs").resolve(j.getJobId()).resolve("metrics.csv"))) {
                csv.add(r.name());
            }
            assertTrue(csv.contains("gradq/critic_rel_var") && csv.contains("gradq/actor_true_cos"), csv.toString());
        }
    }

    @Test
    void aDivergingRealRunFailsWithTheReason() throws Exception {
        try (AgentTestServer s = server()) {
            // Learning rates of 1000 blow the critic up within a few updates.
            Job j = s.blocking().startTraining(StartTrainingRequest.newBuilder().setSpec(tinySac(1, 5000)
                    .setSac(SacConfig.newBuilder().addHiddenSizes(32).setLearningStarts(50).setBatchSize(32)
                            .setCriticLr(1000).setActorLr(1000))).build());
            Job done = awaitFinal(s.blocking(), j.getJobId());
            assertEquals(JobState.JOB_STATE_FAILED, done.getState());
            assertTrue(done.getReason().contains("diverged") && done.getReason().contains("try lower learning rates"),
                    done.getReason());
            assertTrue(done.getProgress().getGlobalStep() < 5000, "it stopped early");
            System.out.println("diverging run: " + done.getReason());
            // The server carries on.
            Job ok = s.blocking().startTraining(StartTrainingRequest.newBuilder().setSpec(tinySac(2, 150)).build());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, awaitFinal(s.blocking(), ok.getJobId()).getState());
        }
    }

    @Test
    void aRunStopsAtItsFirstEvaluationAtTheStopLevelWithItsModel() throws Exception {
        try (AgentTestServer s = server()) {
            // Every FourRooms return is above -1e9: the run ends at its first evaluation (step 300 of 5000).
            TrainingSpec.Builder spec = tinySac(3, 5000);
            spec.setEvaluation(spec.getEvaluation().toBuilder().setStopAtMeanReturn(-1e9));
            Job j = s.blocking().startTraining(StartTrainingRequest.newBuilder().setSpec(spec).build());
            Job done = awaitFinal(s.blocking(), j.getJobId());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.getReason());
            assertEquals(300, done.getProgress().getGlobalStep());
            assertTrue(done.getReason().startsWith("stopped early: evaluation mean return ")
                    && done.getReason().endsWith("at env step 300"), done.getReason());
            assertFalse(done.getModelId().isEmpty(), "the model is stored");
            assertEquals(-1e9, done.getTraining().getEvaluation().getStopAtMeanReturn());
        }
    }

    @Test
    void tinyBenchmark() throws Exception {
        try (AgentTestServer s = server()) {
            long t0 = System.nanoTime();
            RunBenchmarkRequest req = RunBenchmarkRequest.newBuilder()
                    .addVariants(BenchmarkVariant.newBuilder().setName("sac").setSpec(tinySac(0, 300)))
                    .addVariants(BenchmarkVariant.newBuilder().setName("sac+grokfast").setSpec(tinySac(0, 300)
                            .setAugmentations(Augmentations.newBuilder().setGrokfast(true))))
                    .addSeeds(1).addSeeds(2).setScore(BenchmarkScore.BENCHMARK_SCORE_FINAL_EVAL_MEAN).build();
            Job j = s.blocking().runBenchmark(req);
            Job done = awaitFinal(s.blocking(), j.getJobId());
            System.out.printf("benchmark 2 variants x 2 seeds x 300 steps: %.1f s%n", (System.nanoTime() - t0) / 1e9);
            assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.getReason());
            for (BenchmarkRow row : done.getBenchmarkResult().getRowsList()) {
                System.out.printf("  %-14s n=%d mean=%.2f CI95=[%.2f, %.2f] scores=%s%n", row.getVariant(), row.getN(),
                        row.getMean(), row.getCi95Low(), row.getCi95High(), row.getScoresList());
                assertEquals(2, row.getN());
                assertTrue(row.getCi95Low() <= row.getMean() && row.getMean() <= row.getCi95High());
                assertTrue(row.getMean() <= 0 && row.getMean() >= -50, "FourRooms returns with a 50-step limit lie in [-50, 0]");
            }
        }
    }
}
