package dev.gymrpc.server.agent;

import static dev.gymrpc.server.agent.Rpc.awaitFinal;
import static dev.gymrpc.server.agent.Rpc.errorInfo;
import static dev.gymrpc.server.agent.Rpc.fails;
import static dev.gymrpc.server.agent.Rpc.reason;
import static dev.gymrpc.server.agent.Rpc.sacSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import dev.gymrpc.proto.v1.ActRequest;
import dev.gymrpc.proto.v1.AgentServiceGrpc;
import dev.gymrpc.proto.v1.Algorithm;
import dev.gymrpc.proto.v1.Augmentations;
import dev.gymrpc.proto.v1.BenchmarkVariant;
import dev.gymrpc.proto.v1.CancelJobRequest;
import dev.gymrpc.proto.v1.DeleteModelRequest;
import dev.gymrpc.proto.v1.EvaluateRequest;
import dev.gymrpc.proto.v1.EvaluationSchedule;
import dev.gymrpc.proto.v1.GetJobRequest;
import dev.gymrpc.proto.v1.GetModelRequest;
import dev.gymrpc.proto.v1.PpoConfig;
import dev.gymrpc.proto.v1.ResumeJobRequest;
import dev.gymrpc.proto.v1.RunBenchmarkRequest;
import dev.gymrpc.proto.v1.SacConfig;
import dev.gymrpc.proto.v1.StartTrainingRequest;
import dev.gymrpc.proto.v1.TrainingSpec;
import dev.gymrpc.proto.v1.Value;
import dev.gymrpc.proto.v1.WatchJobRequest;
import dev.gymrpc.proto.wire.Tensors;
import dev.gymrpc.server.jobs.JobsConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad request, one row each: the status code, the machine-readable reason, the field the
 * ErrorInfo names, and a fragment the message must contain to tell the caller what to do.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentServiceBadInputTest {

    @TempDir
    static Path tmp;

    private AgentTestServer server;
    private String succeededJob;
    private String modelId;

    record Case(String name, Function<AgentServiceGrpc.AgentServiceBlockingStub, Object> call, Status.Code code,
                String reason, String field, String messagePart) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    void start() throws Exception {
        server = new AgentTestServer(tmp.resolve("store"), new FakeBackend(0), JobsConfig.defaults());
        succeededJob = server.blocking().startTraining(StartTrainingRequest.newBuilder().setSpec(sacSpec(1, 20)).build())
                .getJobId();
        modelId = awaitFinal(server.blocking(), succeededJob).getModelId();
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
    }

    private static Object train(AgentServiceGrpc.AgentServiceBlockingStub s, TrainingSpec.Builder spec) {
        return s.startTraining(StartTrainingRequest.newBuilder().setSpec(spec).build());
    }

    List<Case> cases() {
        List<Case> c = new ArrayList<>();
        String cfg = AgentErrors.INVALID_CONFIG;
        Status.Code bad = Status.Code.INVALID_ARGUMENT;
        c.add(new Case("no spec", s -> s.startTraining(StartTrainingRequest.getDefaultInstance()), bad, cfg, "spec",
                "required"));
        c.add(new Case("no algorithm", s -> train(s, sacSpec(1, 10).clearAlgorithm()), bad, cfg, "spec.algorithm_name",
                "choose one of"));
        c.add(new Case("no env", s -> train(s, sacSpec(1, 10).clearEnvId()), bad, cfg, "spec.env_id", "FourRooms-v0"));
        c.add(new Case("unknown env", s -> train(s, sacSpec(1, 10).setEnvId("FourRoom-v0")), Status.Code.NOT_FOUND,
                "UNKNOWN_ENV", null, "FourRooms-v0"));
        c.add(new Case("bad env option", s -> train(s, sacSpec(1, 10).putEnvOptions("slip_prob",
                Value.newBuilder().setFloatValue(1.5).build())), bad, "INVALID_OPTION", null, "slip_prob"));
        c.add(new Case("continuous env", s -> train(s, sacSpec(1, 10).setEnvId("LunarLanderContinuous-v3")), bad, cfg,
                "spec.env_id", "acts in [discrete]"));
        c.add(new Case("gamma out of range", s -> train(s, sacSpec(1, 10).setSac(SacConfig.newBuilder().setGamma(1.5))),
                bad, cfg, "spec.sac.gamma", "[0, 1]"));
        c.add(new Case("negative actor lr", s -> train(s, sacSpec(1, 10).setSac(SacConfig.newBuilder().setActorLr(-1))),
                bad, cfg, "spec.sac.actor_lr", "> 0"));
        c.add(new Case("batch size 0", s -> train(s, sacSpec(1, 10).setSac(SacConfig.newBuilder().setBatchSize(0))),
                bad, cfg, "spec.sac.batch_size", ">= 1"));
        c.add(new Case("hidden width 0", s -> train(s, sacSpec(1, 10).setSac(SacConfig.newBuilder().addHiddenSizes(0))),
                bad, cfg, "spec.sac.hidden_sizes", ">= 1"));
        c.add(new Case("grokfast alpha 1.5", s -> train(s, sacSpec(1, 10).setAugmentations(
                Augmentations.newBuilder().setGrokfast(true).setGrokfastAlpha(1.5))), bad, cfg,
                "spec.augmentations.grokfast_alpha", "must be [0, 1)"));
        c.add(new Case("negative grad clip", s -> train(s, sacSpec(1, 10).setAugmentations(
                Augmentations.newBuilder().setGradClip(-1))), bad, cfg, "spec.augmentations.grad_clip", ">= 0"));
        c.add(new Case("ppo config for sac", s -> train(s, sacSpec(1, 10).setPpo(PpoConfig.getDefaultInstance())), bad,
                cfg, "spec.ppo", "set config_values instead"));
        c.add(new Case("ppo clip eps 2", s -> train(s, sacSpec(1, 10).setAlgorithm(Algorithm.ALGORITHM_PPO)
                .setPpo(PpoConfig.newBuilder().setClipEps(2))), bad, cfg, "spec.ppo.clip_eps", "must be (0, 1)"));
        c.add(new Case("ppo num envs with episodes", s -> train(s, sacSpec(1, 10).setAlgorithm(Algorithm.ALGORITHM_PPO)
                .setPpo(PpoConfig.newBuilder().setNumEnvs(4))), bad, cfg, "spec.ppo.num_envs", "rollout_steps"));
        c.add(new Case("unknown preset", s -> train(s, sacSpec(1, 10).setPreset("atari")), bad, cfg, "spec.preset",
                "fourrooms"));
        c.add(new Case("no budget", s -> train(s, sacSpec(1, 10).clearBudget()), bad, cfg, "spec.budget",
                "total_steps"));
        c.add(new Case("zero steps", s -> train(s, sacSpec(1, 0)), bad, cfg, "spec.total_steps", ">= 1"));
        c.add(new Case("zero eval episodes", s -> train(s, sacSpec(1, 10).setEvaluation(
                EvaluationSchedule.newBuilder().setEpisodes(0))), bad, cfg, "spec.evaluation.episodes", "1..1000"));
        c.add(new Case("stop level without periodic evaluations", s -> train(s, sacSpec(1, 10).setEvaluation(
                EvaluationSchedule.newBuilder().setStopAtMeanReturn(200))), bad, cfg,
                "spec.evaluation.stop_at_mean_return", "set evaluation.every_steps or evaluation.every_episodes"));
        c.add(new Case("infinite stop level", s -> train(s, sacSpec(1, 10).setEvaluation(
                EvaluationSchedule.newBuilder().setEverySteps(5).setStopAtMeanReturn(Double.POSITIVE_INFINITY))), bad,
                cfg, "spec.evaluation.stop_at_mean_return", "finite"));
        c.add(new Case("negative abort norm", s -> train(s, sacSpec(1, 10).setAbortGradNorm(-1)), bad, cfg,
                "spec.abort_grad_norm", ">= 0"));
        c.add(new Case("negative grad diagnostics interval", s -> train(s, sacSpec(1, 10).setGradDiagnostics(
                dev.gymrpc.proto.v1.GradientDiagnostics.newBuilder().setEvery(-5))), bad, cfg,
                "spec.grad_diagnostics.every", ">= 0"));
        c.add(new Case("one diagnostic minibatch", s -> train(s, sacSpec(1, 10).setGradDiagnostics(
                dev.gymrpc.proto.v1.GradientDiagnostics.newBuilder().setEvery(5).setMinibatches(1))), bad, cfg,
                "spec.grad_diagnostics.minibatches", ">= 2"));
        c.add(new Case("negative diagnostic large batch", s -> train(s, sacSpec(1, 10).setGradDiagnostics(
                dev.gymrpc.proto.v1.GradientDiagnostics.newBuilder().setEvery(5).setLargeBatch(-1))), bad, cfg,
                "spec.grad_diagnostics.large_batch", ">= 1"));
        c.add(new Case("unknown job", s -> s.getJob(GetJobRequest.newBuilder().setJobId("job-nope").build()),
                Status.Code.NOT_FOUND, AgentErrors.UNKNOWN_JOB, null, "ListJobs"));
        c.add(new Case("cancel unknown job", s -> s.cancelJob(CancelJobRequest.newBuilder().setJobId("x").build()),
                Status.Code.NOT_FOUND, AgentErrors.UNKNOWN_JOB, null, "ListJobs"));
        c.add(new Case("cancel finished job", s -> s.cancelJob(CancelJobRequest.newBuilder().setJobId(succeededJob).build()),
                Status.Code.FAILED_PRECONDITION, AgentErrors.JOB_STATE, null, "already ended"));
        c.add(new Case("resume succeeded job", s -> s.resumeJob(ResumeJobRequest.newBuilder().setJobId(succeededJob).build()),
                Status.Code.FAILED_PRECONDITION, AgentErrors.JOB_STATE, null, "INTERRUPTED or CANCELLED"));
        c.add(new Case("watch unknown job", s -> s.watchJob(WatchJobRequest.newBuilder().setJobId("job-nope").build())
                .hasNext(), Status.Code.NOT_FOUND, AgentErrors.UNKNOWN_JOB, null, "ListJobs"));
        c.add(new Case("watch negative offset", s -> s.watchJob(WatchJobRequest.newBuilder().setJobId(succeededJob)
                .setFromOffset(-1).build()).hasNext(), bad, cfg, "from_offset", ">= 0"));
        c.add(new Case("evaluate unknown model", s -> s.evaluate(EvaluateRequest.newBuilder().setModelId("model-x")
                .setEpisodes(1).build()), Status.Code.NOT_FOUND, AgentErrors.UNKNOWN_MODEL, null, "ListModels"));
        c.add(new Case("evaluate 0 episodes", s -> s.evaluate(EvaluateRequest.newBuilder().setModelId(modelId).build()),
                bad, cfg, "episodes", "1..10000"));
        c.add(new Case("evaluate on an env of other spaces", s -> s.evaluate(EvaluateRequest.newBuilder()
                .setModelId(modelId).setEnvId("CartPole-v1").setEpisodes(1).build()), bad, cfg, "env_id", "observes"));
        c.add(new Case("act wrong shape", s -> s.act(ActRequest.newBuilder().setModelId(modelId)
                .setObservations(Tensors.ofFloats(new float[] {1, 2, 3}, 3)).build()), bad,
                AgentErrors.INVALID_OBSERVATION, null, "[batch, 2]"));
        c.add(new Case("act NaN", s -> s.act(ActRequest.newBuilder().setModelId(modelId)
                .setObservations(Tensors.ofFloats(new float[] {Float.NaN, 0}, 1, 2)).build()), bad,
                AgentErrors.INVALID_OBSERVATION, null, "NaN"));
        c.add(new Case("act unknown model", s -> s.act(ActRequest.newBuilder().setModelId("../../etc")
                .setObservations(Tensors.ofFloats(new float[] {0, 0}, 1, 2)).build()), Status.Code.NOT_FOUND,
                AgentErrors.UNKNOWN_MODEL, null, "ListModels"));
        c.add(new Case("download unknown model", s -> s.getModel(GetModelRequest.newBuilder().setModelId("nope").build())
                .hasNext(), Status.Code.NOT_FOUND, AgentErrors.UNKNOWN_MODEL, null, "ListModels"));
        c.add(new Case("delete unknown model", s -> s.deleteModel(DeleteModelRequest.newBuilder().setModelId("nope").build()),
                Status.Code.NOT_FOUND, AgentErrors.UNKNOWN_MODEL, null, "ListModels"));
        c.add(new Case("benchmark without variants", s -> s.runBenchmark(RunBenchmarkRequest.newBuilder().addSeeds(1).build()),
                bad, cfg, "variants", "1..32"));
        c.add(new Case("benchmark duplicate seeds", s -> s.runBenchmark(RunBenchmarkRequest.newBuilder()
                .addVariants(BenchmarkVariant.newBuilder().setName("a").setSpec(sacSpec(0, 10))).addSeeds(1).addSeeds(1)
                .build()), bad, cfg, "seeds", "distinct"));
        c.add(new Case("benchmark duplicate names", s -> s.runBenchmark(RunBenchmarkRequest.newBuilder()
                .addVariants(BenchmarkVariant.newBuilder().setName("a").setSpec(sacSpec(0, 10)))
                .addVariants(BenchmarkVariant.newBuilder().setName("a").setSpec(sacSpec(0, 10))).addSeeds(1)
                .build()), bad, cfg, "variants[1].name", "twice"));
        c.add(new Case("benchmark bad variant config", s -> s.runBenchmark(RunBenchmarkRequest.newBuilder()
                .addVariants(BenchmarkVariant.newBuilder().setName("a").setSpec(sacSpec(0, 10)
                        .setSac(SacConfig.newBuilder().setTau(0)))).addSeeds(1).build()), bad, cfg,
                "variants[0].spec.sac.tau", "must be (0, 1]"));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejected(Case c) {
        StatusRuntimeException e = fails(c.code(), () -> c.call().apply(server.blocking()));
        assertEquals(c.reason(), reason(e), "reason trailer");
        ErrorInfo info = errorInfo(e);
        assertEquals(c.reason(), info.getReason());
        if (c.field() != null) {
            assertEquals(c.field(), info.getMetadataOrThrow("field"), "field in ErrorInfo");
        }
        String msg = e.getStatus().getDescription();
        assertTrue(msg != null && msg.contains(c.messagePart()), () -> "message '" + msg + "' lacks '" + c.messagePart() + "'");
    }
}
