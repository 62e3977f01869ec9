package dev.gymrpc.agents.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.agents.ActionHead;
import dev.gymrpc.agents.Budget;
import dev.gymrpc.agents.Policy;
import dev.gymrpc.agents.TrainRequest;
import dev.gymrpc.agents.Trainer;
import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.util.Rng;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Round trip through DL4J: a policy exported with {@link Dl4jExport}, loaded back with
 * {@code ModelSerializer.restoreMultiLayerNetwork} alone, gives the policy's own outputs on 1,000 random
 * observations within 1e-5 (categorical: action probabilities; squashed Gaussian: greedy actions).
 */
class Dl4jExportTest {

    private static final int N_OBS = 1000;
    private static final double TOL = 1e-5;

    /** A policy with Gaussian weights of std 1/sqrt(fan-in) (so the outputs are not saturated) and random biases. */
    private static Policy randomPolicy(int[] sizes, ActionHead head, long seed) {
        Rng rng = new Rng(seed);
        int count = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            count += sizes[l] * sizes[l + 1] + sizes[l + 1];
        }
        float[] p = new float[count];
        int off = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            double std = 1 / Math.sqrt(sizes[l]);
            for (int i = 0; i < sizes[l] * sizes[l + 1]; i++) {
                p[off++] = (float) (std * rng.nextGaussian());
            }
            for (int i = 0; i < sizes[l + 1]; i++) {
                p[off++] = (float) (0.1 * rng.nextGaussian());
            }
        }
        return new Policy(PpoConfig.paper(), "test", Map.of(), seed, sizes, p, head, Map.of());
    }

    private static float[] randomObs(int dim, long seed) {
        Rng rng = new Rng(seed);
        float[] x = new float[N_OBS * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 * rng.nextGaussian());
        }
        return x;
    }

    /** Exports to a file, restores with DL4J only, and compares its output with the policy's. */
    private static void roundTrip(Policy policy, Path dir, long obsSeed) throws Exception {
        Path file = dir.resolve("policy-dl4j.zip");
        Dl4jExport.write(policy, file);
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(file.toFile());
        int d = policy.observationSize();
        int n = policy.numActions();
        float[] obs = randomObs(d, obsSeed);
        INDArray out = net.output(Nd4j.create(obs, new long[] {N_OBS, d}, 'c'));
        assertArrayEquals(new long[] {N_OBS, n}, out.shape());
        float[] got = out.dup('c').data().asFloat();
        Policy.Actions expected = policy.act(obs, N_OBS, true);
        float[] want = policy.head().discrete() ? expected.probabilities() : expected.continuous();
        double maxErr = 0;
        for (int i = 0; i < want.length; i++) {
            maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
        }
        System.out.printf("DL4J export %s %s: max |DL4J - policy| = %.3g over %d observations%n", policy.head().kind(),
                java.util.Arrays.toString(policy.sizes()), maxErr, N_OBS);
        assertTrue(maxErr <= TOL, "max abs difference " + maxErr);

        // The in-memory export and the bytes agree with the file.
        MultiLayerNetwork fromBytes = ModelSerializer.restoreMultiLayerNetwork(
                new ByteArrayInputStream(Dl4jExport.toBytes(policy)));
        assertEquals(net.params(), fromBytes.params());
    }

    @Test
    void categoricalOutputsTheProbabilities(@TempDir Path dir) throws Exception {
        Policy p = randomPolicy(new int[] {8, 64, 64, 4}, new ActionHead(ActionHead.Kind.CATEGORICAL, 4, 0, null, null), 11);
        roundTrip(p, dir, 101);
    }

    @Test
    void categoricalWithoutHiddenLayers(@TempDir Path dir) throws Exception {
        Policy p = randomPolicy(new int[] {5, 3}, new ActionHead(ActionHead.Kind.CATEGORICAL, 3, 1, null, null), 12);
        roundTrip(p, dir, 102);
    }

    @Test
    void squashedGaussianOutputsTheGreedyAction(@TempDir Path dir) throws Exception {
        ActionHead head = new ActionHead(ActionHead.Kind.SQUASHED_GAUSSIAN, 2, 0, new float[] {-1f, 0f},
                new float[] {1f, 3f});
        Policy p = randomPolicy(new int[] {8, 256, 256, 4}, head, 13);
        roundTrip(p, dir, 103);
    }

    @Test
    void policyTrainedOnCartPole(@TempDir Path dir) throws Exception {
        Policy p = Trainer.train(new TrainRequest(PpoConfig.cartPole(), "CartPole-v1", 5, Budget.steps(2_048)), null, null)
                .policy();
        roundTrip(p, dir, 104);
    }
}
