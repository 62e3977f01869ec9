package dev.gymrpc.agents.nn;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.ThresholdReluBp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A fully connected ReLU network with a linear output layer, on ND4J, with hand-written backprop.
 *
 * <p>Why not {@code MultiLayerNetwork}: SAC's and PPO's losses are custom (we compute dL/dOutput
 * ourselves anyway), and on this machine {@code MultiLayerNetwork.feedForward + backpropGradient} took
 * about 3 ms for an 8-256-4 net at batch 256 while the three underlying gemms take about 0.15 ms: the
 * time went into per-call workspace handling and validation, not arithmetic. Here every layer is
 * {@code gemm + bias + relu} into buffers allocated once per batch size ({@link Tape}), and backprop
 * writes straight into views of one flat gradient vector.
 *
 * <p>Layout: all parameters live in one flat {@code [1, P]} FLOAT vector, tensor by tensor
 * {@code W0, b0, W1, b1, ...}; {@code W_l} is a row-major {@code [in, out]} view and {@code b_l} a
 * {@code [1, out]} view. The gradient vector has the same layout. One flat vector makes Polyak averaging
 * one op, Adam one op over all tensors, and gives Grokfast/GrAdE their per-tensor segments
 * ({@link #tensorOffsets()}).
 */
public final class Mlp {

    /** Weight initialisation schemes used by the paper's two setups. */
    public enum Init {
        /** Glorot/Xavier normal weights, zero biases (PPO setup). */
        XAVIER_NORMAL,
        /**
         * DDPG scheme (Lillicrap et al. 2016, sec. 7): hidden layers' weights and biases uniform in
         * +-1/sqrt(fan_in), last layer uniform in +-3e-3 (SAC setup).
         */
        DDPG_UNIFORM
    }

    private final int[] sizes;
    private final int numParams;
    private final INDArray params;
    private final INDArray grads;
    private final INDArray[] w;
    private final INDArray[] b;
    private final INDArray[] gw;
    private final INDArray[] gb;
    private final int[] tensorOffsets;
    private final FloatBuffer paramsBuf;
    private final FloatBuffer gradsBuf;

    /**
     * @param sizes layer widths {@code [in, hidden..., out]}, at least two entries, all positive
     */
    public Mlp(int[] sizes, Init init, RandomGenerator rng) {
        Nd4jRuntime.init();
        if (sizes.length < 2) {
            throw new IllegalArgumentException("an MLP needs at least input and output sizes, got " + Arrays.toString(sizes));
        }
        for (int s : sizes) {
            if (s < 1) {
                throw new IllegalArgumentException("layer sizes must be >= 1, got " + Arrays.toString(sizes));
            }
        }
        this.sizes = sizes.clone();
        int layers = sizes.length - 1;
        tensorOffsets = new int[2 * layers + 1];
        int p = 0;
        for (int l = 0; l < layers; l++) {
            tensorOffsets[2 * l] = p;
            p += sizes[l] * sizes[l + 1];
            tensorOffsets[2 * l + 1] = p;
            p += sizes[l + 1];
        }
        tensorOffsets[2 * layers] = p;
        numParams = p;
        params = Nd4j.create(DataType.FLOAT, 1, p);
        grads = Nd4j.create(DataType.FLOAT, 1, p);
        w = new INDArray[layers];
        b = new INDArray[layers];
        gw = new INDArray[layers];
        gb = new INDArray[layers];
        for (int l = 0; l < layers; l++) {
            w[l] = view(params, tensorOffsets[2 * l], sizes[l], sizes[l + 1]);
            b[l] = view(params, tensorOffsets[2 * l + 1], 1, sizes[l + 1]);
            gw[l] = view(grads, tensorOffsets[2 * l], sizes[l], sizes[l + 1]);
            gb[l] = view(grads, tensorOffsets[2 * l + 1], 1, sizes[l + 1]);
        }
        paramsBuf = params.data().asNioFloat();
        gradsBuf = grads.data().asNioFloat();
        setParams(initialParams(init, rng));
    }

    private static INDArray view(INDArray flat, int offset, int rows, int cols) {
        return flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + rows * cols)).reshape('c', rows, cols);
    }

    private float[] initialParams(Init init, RandomGenerator rng) {
        float[] out = new float[numParams];
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            int fanIn = sizes[l];
            int fanOut = sizes[l + 1];
            boolean last = l == layers - 1;
            for (int i = tensorOffsets[2 * l]; i < tensorOffsets[2 * l + 1]; i++) {
                out[i] = switch (init) {
                    case XAVIER_NORMAL -> (float) (rng.nextGaussian() * Math.sqrt(2.0 / (fanIn + fanOut)));
                    case DDPG_UNIFORM -> uniform(rng, last ? 3e-3 : 1.0 / Math.sqrt(fanIn));
                };
            }
            for (int i = tensorOffsets[2 * l + 1]; i < tensorOffsets[2 * l + 2]; i++) {
                out[i] = init == Init.XAVIER_NORMAL ? 0f : uniform(rng, last ? 3e-3 : 1.0 / Math.sqrt(fanIn));
            }
        }
        return out;
    }

    private static float uniform(RandomGenerator rng, double bound) {
        return (float) ((rng.nextDouble() * 2 - 1) * bound);
    }

    public int[] sizes() {
        return sizes.clone();
    }

    public int inputSize() {
        return sizes[0];
    }

    public int outputSize() {
        return sizes[sizes.length - 1];
    }

    public int numParams() {
        return numParams;
    }

    /**
     * Start offsets of each parameter tensor in the flat vector ({@code W0, b0, W1, b1, ...}) followed by
     * {@link #numParams()}; tensor {@code k} spans {@code [o[k], o[k+1])}.
     */
    public int[] tensorOffsets() {
        return tensorOffsets.clone();
    }

    /** The flat parameter vector {@code [1, P]} (live; used by optimizers and Polyak averaging). */
    public INDArray params() {
        return params;
    }

    /** The flat gradient vector {@code [1, P]} written by {@link #backward} (live). */
    public INDArray grads() {
        return grads;
    }

    /** Copies the parameters into {@code dst} (length {@code >= P}). */
    public void copyParamsTo(float[] dst) {
        paramsBuf.get(0, dst, 0, numParams);
    }

    public float[] paramsCopy() {
        float[] out = new float[numParams];
        copyParamsTo(out);
        return out;
    }

    public void setParams(float[] src) {
        if (src.length != numParams) {
            throw new IllegalArgumentException("expected " + numParams + " parameters, got " + src.length);
        }
        paramsBuf.put(0, src, 0, numParams);
    }

    /** Copies the current gradient into {@code dst}. */
    public void copyGradsTo(float[] dst) {
        gradsBuf.get(0, dst, 0, numParams);
    }

    /** Overwrites the gradient (after a transform such as Grokfast computed on a copy). */
    public void setGrads(float[] src) {
        gradsBuf.put(0, src, 0, numParams);
    }

    /** Copies another network's parameters (same sizes) into this one. */
    public void copyFrom(Mlp other) {
        if (!Arrays.equals(sizes, other.sizes)) {
            throw new IllegalArgumentException("sizes differ: " + Arrays.toString(sizes) + " vs " + Arrays.toString(other.sizes));
        }
        params.assign(other.params);
    }

    /** Activations of one forward pass, kept for {@link #backward}; buffers are reused while the batch size is unchanged. */
    public final class Tape {
        private int batch = -1;
        private INDArray input;
        private final INDArray[] h = new INDArray[sizes.length - 1];
        private final INDArray[] dh = new INDArray[sizes.length - 1];
        private INDArray ones;
        private FloatBuffer outBuf;

        private void ensure(int n) {
            if (n == batch) {
                return;
            }
            batch = n;
            for (int l = 0; l < h.length; l++) {
                h[l] = Nd4j.create(DataType.FLOAT, n, sizes[l + 1]);
                dh[l] = Nd4j.create(DataType.FLOAT, n, sizes[l + 1]);
            }
            ones = Nd4j.ones(DataType.FLOAT, 1, n);
            outBuf = h[h.length - 1].data().asNioFloat();
        }

        /** The output of the last forward pass ({@code [B, out]}, live). */
        public INDArray output() {
            return h[h.length - 1];
        }

        /** Copies the output, row-major, into {@code dst}. */
        public void copyOutputTo(float[] dst) {
            outBuf.get(0, dst, 0, batch * outputSize());
        }

        /** Batch size of the last forward pass. */
        public int batch() {
            return batch;
        }
    }

    public Tape newTape() {
        return new Tape();
    }

    /**
     * Forward pass of {@code x} ({@code [B, in]} FLOAT, kept by reference until backward) into
     * {@code tape}; returns the output {@code [B, out]} owned by the tape.
     */
    public INDArray forward(INDArray x, Tape tape) {
        int n = (int) x.size(0);
        tape.ensure(n);
        tape.input = x;
        INDArray a = x;
        int layers = w.length;
        for (int l = 0; l < layers; l++) {
            INDArray out = tape.h[l];
            Nd4j.gemm(a, w[l], out, false, false, 1.0, 0.0);
            out.addiRowVector(b[l]);
            if (l < layers - 1) {
                Transforms.relu(out, false);
            }
            a = out;
        }
        return tape.h[layers - 1];
    }

    /**
     * Backprop of dL/dOutput given as a row-major float array ({@code B x out}); overwrites
     * {@link #grads()} with dL/dParams.
     */
    public void backward(Tape tape, float[] dOut) {
        INDArray d = tape.dh[tape.dh.length - 1];
        d.data().asNioFloat().put(0, dOut, 0, tape.batch * outputSize());
        backward(tape, d);
    }

    /** Backprop of dL/dOutput ({@code [B, out]}; clobbered). Overwrites {@link #grads()}. */
    public void backward(Tape tape, INDArray dOut) {
        INDArray dz = dOut;
        for (int l = w.length - 1; l >= 0; l--) {
            INDArray in = l == 0 ? tape.input : tape.h[l - 1];
            Nd4j.gemm(in, dz, gw[l], true, false, 1.0, 0.0);
            Nd4j.gemm(tape.ones, dz, gb[l], false, false, 1.0, 0.0);
            if (l > 0) {
                INDArray dPrev = tape.dh[l - 1];
                Nd4j.gemm(dz, w[l], dPrev, false, true, 1.0, 0.0);
                // ReLU backward: h > 0 exactly where the pre-activation was > 0.
                Nd4j.exec(new ThresholdReluBp(tape.h[l - 1], dPrev, dPrev, 0.0));
                dz = dPrev;
            }
        }
    }
}
