package dev.gymrpc.server.agent;

import static dev.gymrpc.server.agent.Rpc.awaitFinal;
import static dev.gymrpc.server.agent.Rpc.errorInfo;
import static dev.gymrpc.server.agent.Rpc.fails;
import static dev.gymrpc.server.agent.Rpc.watchAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.proto.v1.AlgorithmInfo;
import dev.gymrpc.proto.v1.ConfigField;
import dev.gymrpc.proto.v1.EvaluateRequest;
import dev.gymrpc.proto.v1.EvaluationSchedule;
import dev.gymrpc.proto.v1.EvaluationSummary;
import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.JobEvent;
import dev.gymrpc.proto.v1.JobState;
import dev.gymrpc.proto.v1.ListAlgorithmsRequest;
import dev.gymrpc.proto.v1.ListModelsRequest;
import dev.gymrpc.proto.v1.ModelInfo;
import dev.gymrpc.proto.v1.StartTrainingRequest;
import dev.gymrpc.proto.v1.TrainingSpec;
import dev.gymrpc.proto.v1.Value;
import dev.gymrpc.proto.wire.Tensors;
import dev.gymrpc.proto.wire.Values;
import dev.gymrpc.server.jobs.JobsConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Algorithms as plug-ins over the wire: ListAlgorithms describes every algorithm from its schema, a
 * training request names one and sets config values by field name, bad values are INVALID_ARGUMENT
 * naming the field, and the one evaluator gives the same actions for the same seed during training and
 * through the Evaluate rpc.
 */
class AlgorithmPluginRpcTest {

    @TempDir
    Path tmp;

    private AgentTestServer server() throws Exception {
        return new AgentTestServer(tmp.resolve("store"), AgentsModuleBackend.standard(),
                new JobsConfig(1, 8, Duration.ofSeconds(30)));
    }

    private static Value str(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    @Test
    void listAlgorithmsDescribesEveryFieldAndPreset() throws Exception {
        try (AgentTestServer s = server()) {
            List<AlgorithmInfo> algos = s.blocking().listAlgorithms(ListAlgorithmsRequest.getDefaultInstance())
                    .getAlgorithmsList();
            List<String> names = algos.stream().map(AlgorithmInfo::getName).toList();
            assertTrue(names.containsAll(List.of("ppo", "sac")), names.toString());
            AlgorithmInfo ppo = algos.stream().filter(a -> a.getName().equals("ppo")).findFirst().orElseThrow();
            assertEquals(List.of("discrete"), ppo.getActionKindsList());
            ConfigField gamma = ppo.getFieldsList().stream().filter(f -> f.getName().equals("gamma")).findFirst().orElseThrow();
            assertEquals("double", gamma.getType());
            assertEquals("[0, 1]", gamma.getRange());
            assertEquals(0.99, gamma.getDefaultValue().getFloatValue());
            ConfigField adv = ppo.getFieldsList().stream().filter(f -> f.getName().equals("advantage")).findFirst().orElseThrow();
            assertEquals(List.of("mc", "gae"), adv.getChoicesList());
            assertTrue(ppo.getFieldsList().stream().anyMatch(f -> f.getName().equals("augmentations.grokfast_lambda")));
            assertEquals(List.of("paper", "lunarlander-tuned", "cartpole"),
                    ppo.getPresetsList().stream().map(p -> p.getName()).toList());
            assertEquals(List.of(64L, 64L), toList(Values.fromValue(ppo.getPresets(2).getValuesMap().get("hidden_sizes"))));
        }
    }

    private static List<Long> toList(Object v) {
        if (v instanceof long[] a) {
            return java.util.Arrays.stream(a).boxed().toList();
        }
        if (v instanceof int[] a) {
            return java.util.Arrays.stream(a).mapToLong(x -> x).boxed().toList();
        }
        throw new AssertionError("not an int array: " + v);
    }

    @Test
    void trainByNameWithConfigValuesAndTheSameEvaluatorEverywhere() throws Exception {
        try (AgentTestServer s = server()) {
            TrainingSpec spec = TrainingSpec.newBuilder().setAlgorithmName("sac").setEnvId("FourRooms-v0").setSeed(4)
                    .setTotalSteps(400).putEnvOptions("max_episode_steps", Value.newBuilder().setIntValue(40).build())
                    .putConfigValues("hidden_sizes", Values.toValue(new long[] {16}))
                    .putConfigValues("learning_starts", Value.newBuilder().setIntValue(100).build())
                    .putConfigValues("batch_size", str("32"))
                    .putConfigValues("buffer_size", Value.newBuilder().setIntValue(1000).build())
                    .putConfigValues("augmentations.grokfast", Value.newBuilder().setBoolValue(true).build())
                    .setEvaluation(EvaluationSchedule.newBuilder().setFinalEpisodes(4).setDeterministic(false))
                    .build();
            Job j = s.blocking().startTraining(StartTrainingRequest.newBuilder().setSpec(spec).build());
            List<JobEvent> events = watchAll(s.blocking(), j.getJobId(), 0);
            Job done = awaitFinal(s.blocking(), j.getJobId());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.getReason());
            TrainingSpec resolved = done.getTraining();
            assertEquals("sac", resolved.getAlgorithmName());
            assertEquals("fourrooms", resolved.getPreset());
            assertEquals(32, resolved.getConfigValuesMap().get("batch_size").getIntValue());
            assertTrue(resolved.getConfigValuesMap().get("augmentations.grokfast").getBoolValue());
            assertTrue(resolved.getAugmentations().getGrokfast());
            // Old clients read the deprecated typed message of the same run.
            assertEquals(32, resolved.getSac().getBatchSize());
            assertEquals(List.of(16), resolved.getSac().getHiddenSizesList());

            ModelInfo m = s.blocking().listModels(ListModelsRequest.getDefaultInstance()).getModels(0);
            assertEquals("sac", m.getAlgorithmName());
            // The final evaluation during training (stochastic, seed + 1_000_003) and the Evaluate rpc with
            // the same seed run the same evaluator: same sampled actions, same episodes.
            EvaluationSummary fin = events.stream().filter(e -> e.hasEvaluation() && e.getEvaluation().getIsFinal())
                    .findFirst().orElseThrow().getEvaluation().getSummary();
            EvaluationSummary rpc = s.blocking().evaluate(EvaluateRequest.newBuilder().setModelId(m.getModelId())
                    .setEpisodes(4).setSeed(4 + 1_000_003L).setDeterministic(false).build()).getSummary();
            assertEquals(fin.getReturnsList(), rpc.getReturnsList());
            assertEquals(fin.getLengthsList(), rpc.getLengthsList());
        }
    }

    @Test
    void aModelDownloadsAsADl4jNetworkThatActsLikeThePolicy() throws Exception {
        try (AgentTestServer s = server()) {
            TrainingSpec spec = TrainingSpec.newBuilder().setAlgorithmName("ppo").setEnvId("CartPole-v1").setSeed(2)
                    .setTotalSteps(256).putConfigValues("hidden_sizes", str("16"))
                    .putConfigValues("num_envs", str("2")).putConfigValues("rollout_steps", str("64")).build();
            Job j = s.blocking().startTraining(StartTrainingRequest.newBuilder().setSpec(spec).build());
            Job done = awaitFinal(s.blocking(), j.getJobId());
            assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.getReason());
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            s.blocking().getModel(dev.gymrpc.proto.v1.GetModelRequest.newBuilder().setModelId(done.getModelId())
                    .setFormat(dev.gymrpc.proto.v1.ModelFormat.MODEL_FORMAT_DL4J).build())
                    .forEachRemaining(c -> bytes.writeBytes(c.getData().toByteArray()));
            Path file = tmp.resolve("dl4j.zip");
            java.nio.file.Files.write(file, bytes.toByteArray());
            org.deeplearning4j.nn.multilayer.MultiLayerNetwork net =
                    org.deeplearning4j.util.ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
            float[] obs = {0.01f, -0.2f, 0.03f, 0.4f, -0.05f, 0.6f, -0.07f, -0.8f};
            float[] probs = new float[4];
            List<Float> p = s.blocking().act(dev.gymrpc.proto.v1.ActRequest.newBuilder().setModelId(done.getModelId())
                    .setObservations(Tensors.ofFloats(obs, 2, 4)).build()).getProbabilities().getFloats().getValuesList();
            for (int i = 0; i < 4; i++) {
                probs[i] = p.get(i);
            }
            float[] out = net.output(org.nd4j.linalg.factory.Nd4j.create(obs, new long[] {2, 4})).ravel().toFloatVector();
            for (int i = 0; i < 4; i++) {
                assertEquals(probs[i], out[i], 1e-5, "probability " + i);
            }
        }
    }

    @Test
    void badAlgorithmsAndValuesNameTheField() throws Exception {
        try (AgentTestServer s = server()) {
            TrainingSpec.Builder base = TrainingSpec.newBuilder().setAlgorithmName("ppo").setEnvId("CartPole-v1")
                    .setTotalSteps(100);
            StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT, () -> s.blocking().startTraining(
                    StartTrainingRequest.newBuilder().setSpec(base.clone().putConfigValues("gamma", str("1.5"))).build()));
            assertEquals("spec.config_values.gamma", errorInfo(e).getMetadataMap().get("field"));
            assertTrue(e.getStatus().getDescription().contains("must be [0, 1], got 1.5"), e.getStatus().getDescription());
            e = fails(Status.Code.INVALID_ARGUMENT, () -> s.blocking().startTraining(
                    StartTrainingRequest.newBuilder().setSpec(base.clone().putConfigValues("gama", str("0.9"))).build()));
            assertTrue(e.getStatus().getDescription().contains("valid fields: hidden_sizes"), e.getStatus().getDescription());
            e = fails(Status.Code.INVALID_ARGUMENT, () -> s.blocking().startTraining(
                    StartTrainingRequest.newBuilder().setSpec(base.clone().setAlgorithmName("dqn")).build()));
            assertTrue(e.getStatus().getDescription().contains("'dqn' is unknown; choose one of"), e.getStatus().getDescription());
            e = fails(Status.Code.INVALID_ARGUMENT, () -> s.blocking().startTraining(
                    StartTrainingRequest.newBuilder().setSpec(base.clone().setEnvId("LunarLanderContinuous-v3")).build()));
            assertEquals("spec.env_id", errorInfo(e).getMetadataMap().get("field"));
            e = fails(Status.Code.INVALID_ARGUMENT, () -> s.blocking().startTraining(
                    StartTrainingRequest.newBuilder().setSpec(base.clone().setPreset("nope")).build()));
            assertTrue(e.getStatus().getDescription().contains("choose one of paper, lunarlander-tuned, cartpole"),
                    e.getStatus().getDescription());
            // A tensor of ints for an int list, and an enum by name, are accepted.
            Job ok = s.blocking().startTraining(StartTrainingRequest.newBuilder().setSpec(base.clone()
                    .putConfigValues("hidden_sizes", Value.newBuilder().setTensorValue(Tensors.ofLongs(new long[] {8, 8}, 2)).build())
                    .putConfigValues("advantage", str("mc")).putConfigValues("num_envs", str("2"))).build());
            assertEquals("mc", ok.getTraining().getConfigValuesMap().get("advantage").getStringValue());
        }
    }
}
