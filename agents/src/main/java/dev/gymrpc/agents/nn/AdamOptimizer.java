package dev.gymrpc.agents.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Adam over one network's flat parameter vector, using ND4J's fused Adam updater (one native op for all
 * tensors), with optional decoupled weight decay (Loshchilov and Hutter 2019, "AdamW"), offered because
 * the "Exploding Gradients in Soft-Actor Critic" note found weight decay one of the effective levers against exploding critic gradients.
 *
 * <p>Call order per update: backprop fills {@link Mlp#grads()}; gradient transforms (Grokfast, clipping)
 * modify it; {@link #step()} turns it into the Adam step in place and subtracts it from the parameters.
 */
public final class AdamOptimizer {

    private final INDArray params;
    private final INDArray grads;
    private final double lr;
    private final Adam adam;
    private final double weightDecay;
    private final INDArray state;
    private final GradientUpdater<?> updater;
    private int iteration;

    /** Adam over all networks of {@code block} (e.g. SAC's twin critics share one optimizer, as in CleanRL). */
    public AdamOptimizer(ParamBlock block, double lr, double weightDecay) {
        this.params = block.params();
        this.grads = block.grads();
        this.lr = lr;
        this.weightDecay = weightDecay;
        this.state = Nd4j.zeros(DataType.FLOAT, 1, 2L * params.length());
        // PyTorch's defaults (beta1 0.9, beta2 0.999, eps 1e-8), as in the paper's code.
        this.adam = new Adam(lr, 0.9, 0.999, 1e-8);
        this.updater = adam.instantiate(state, true);
    }

    /** Applies Adam to the block's current gradient and updates its parameters. */
    public void step() {
        updater.applyUpdater(grads, iteration, 0);
        iteration++;
        if (weightDecay > 0) {
            params.muli(1.0 - adam.getLearningRate() * weightDecay);
        }
        params.subi(grads);
    }

    /** The base learning rate. */
    public double learningRate() {
        return lr;
    }

    /** Scales the learning rate for the next steps to {@code frac * base} (linear annealing). */
    public void setLearningRateFraction(double frac) {
        adam.setLearningRate(lr * frac);
    }

    /** Number of steps taken. */
    public int iteration() {
        return iteration;
    }

    public void save(dev.gymrpc.agents.io.StateBag bag, String prefix) {
        bag.putArray(prefix + ".adam", stateCopy());
        bag.put(prefix + ".adam_iteration", iteration);
    }

    public void restore(dev.gymrpc.agents.io.StateBag bag, String prefix) {
        restore(bag.array(prefix + ".adam"), bag.getInt(prefix + ".adam_iteration"));
    }

    /** Moment estimates {@code [m, v]} and the step count, for checkpoints. */
    public float[] stateCopy() {
        return state.data().asFloat();
    }

    public void restore(float[] moments, int iteration) {
        if (moments.length != state.length()) {
            throw new IllegalArgumentException("optimizer state has " + moments.length + " values, expected " + state.length());
        }
        state.data().asNioFloat().put(0, moments, 0, moments.length);
        this.iteration = iteration;
    }
}
