package dev.gymrpc.agents.export;

import dev.gymrpc.agents.ActionHead;
import dev.gymrpc.agents.Policy;
import dev.gymrpc.agents.nn.Nd4jRuntime;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A trained {@link Policy} as a DL4J {@code MultiLayerNetwork}, so that a JVM application can run it with
 * plain DL4J ({@code ModelSerializer.restoreMultiLayerNetwork(file).output(obs)}), without this project.
 * The network maps a batch of flat float32 observations {@code [batch, obsDim]} to:
 * <ul>
 *   <li>{@link ActionHead.Kind#CATEGORICAL}: the action probabilities {@code [batch, n]} (softmax of the
 *       actor's logits). The greedy action is their argmax; add the space's start ({@code head().start()},
 *       0 for most envs) to get the env's action. The last layer is an {@code OutputLayer} (softmax,
 *       multi-class cross-entropy) so the network can also be fine-tuned as a classifier.</li>
 *   <li>{@link ActionHead.Kind#SQUASHED_GAUSSIAN}: the greedy action {@code bias + scale * tanh(mean)}
 *       {@code [batch, n]}, already in the env's bounds. The actor's last layer is cut to its mean rows
 *       (the log-std outputs only matter for sampling) with a tanh, followed by an identity
 *       {@code OutputLayer} whose weights are {@code diag(scale)} and whose bias is {@code bias}.</li>
 * </ul>
 * Hidden layers are ReLU, as in {@code Mlp}. Weights are copied from the policy's flat parameters (per
 * layer {@code W} row-major {@code [in, out]}, then {@code b}); everything is FLOAT. Only inference is
 * exported: the file has no updater state.
 */
public final class Dl4jExport {

    private Dl4jExport() {
    }

    /** The policy as a network of FLOAT dense layers; see the class comment for its output. */
    public static MultiLayerNetwork toMultiLayerNetwork(Policy policy) {
        Nd4jRuntime.init();
        int[] sizes = policy.sizes();
        float[] params = policy.parameters();
        ActionHead head = policy.head();
        int layers = sizes.length - 1;
        boolean discrete = head.discrete();
        int n = head.n();

        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT).weightInit(WeightInit.ZERO).list();
        for (int l = 0; l < layers - 1; l++) {
            b.layer(new DenseLayer.Builder().nIn(sizes[l]).nOut(sizes[l + 1]).activation(Activation.RELU).build());
        }
        int lastIn = sizes[layers - 1];
        if (discrete) {
            b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(lastIn).nOut(n)
                    .activation(Activation.SOFTMAX).build());
        } else {
            b.layer(new DenseLayer.Builder().nIn(lastIn).nOut(n).activation(Activation.TANH).build());
            b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(n).nOut(n)
                    .activation(Activation.IDENTITY).build());
        }
        MultiLayerConfiguration conf = b.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();

        int off = 0;
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            // The last actor layer of a squashed Gaussian keeps only its first n columns (the means).
            int keep = l == layers - 1 ? (discrete ? out : n) : out;
            float[] w = new float[in * keep];
            for (int i = 0; i < in; i++) {
                System.arraycopy(params, off + i * out, w, i * keep, keep);
            }
            float[] bias = new float[keep];
            System.arraycopy(params, off + in * out, bias, 0, keep);
            off += in * out + out;
            set(net, l, w, in, keep, bias);
        }
        if (off != params.length) {
            throw new IllegalStateException("policy has " + params.length + " parameters, sizes need " + off);
        }
        if (!discrete) {
            float[] diag = new float[n * n];
            float[] bias = new float[n];
            for (int j = 0; j < n; j++) {
                diag[j * n + j] = head.scale(j);
                bias[j] = head.bias(j);
            }
            set(net, layers, diag, n, n, bias);
        }
        return net;
    }

    private static void set(MultiLayerNetwork net, int layer, float[] w, int in, int out, float[] b) {
        INDArray wArr = Nd4j.create(w, new long[] {in, out}, 'c');
        INDArray bArr = Nd4j.create(b, new long[] {1, out}, 'c');
        net.getLayer(layer).setParam("W", wArr);
        net.getLayer(layer).setParam("b", bArr);
    }

    /** Writes the exported network as a DL4J model zip ({@code ModelSerializer}, no updater) to {@code out}. */
    public static void write(Policy policy, OutputStream out) throws IOException {
        ModelSerializer.writeModel(toMultiLayerNetwork(policy), out, false);
    }

    /** Writes the exported network to {@code file} (parent directories created). */
    public static void write(Policy policy, Path file) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file))) {
            write(policy, os);
        }
    }

    /** The model zip as bytes (for a download over gRPC). */
    public static byte[] toBytes(Policy policy) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        write(policy, bos);
        return bos.toByteArray();
    }
}
