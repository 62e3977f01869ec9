package dev.gymrpc.agents.aug;

import dev.gymrpc.agents.Augmentations;
import dev.gymrpc.agents.nn.ParamBlock;
import java.util.Map;

/**
 * The gradient transforms of one network (one {@link ParamBlock}: SAC's twin critics count as one), applied in a fixed, documented order between backprop and
 * the optimizer step (Tribuo's StochasticGradientOptimiser idea: transforms behind one call):
 *
 * <ol>
 *   <li>read the raw gradient; record its global L2 norm ({@code grad/<name>_norm}) and running max
 *       ({@code grad/<name>_max_norm}, the exploding-gradient signal of the "Exploding Gradients in Soft-Actor Critic" note);</li>
 *   <li>Grokfast-EMA, if on: {@code g <- g + lambda * mu}; record {@code grad/<name>_norm_filtered};</li>
 *   <li>GrAdE bookkeeping, if this network is the actor and GrAdE is on: observe the (filtered) gradient;
 *       the new ratio is used by the <em>next</em> update;</li>
 *   <li>global-norm clipping, if {@code gradClip > 0};</li>
 *   <li>write back; the optimizer (with optional weight decay) then takes its step.</li>
 * </ol>
 */
public final class GradientPipeline {

    private final ParamBlock net;
    private final String name;
    private final GrokfastEma grokfast;
    private final Grade grade;
    private final double clip;
    private final float[] g;
    private final int[] offsets;
    private java.util.function.BiConsumer<float[], float[]> observer;
    private float[] raw;
    private double maxNorm;
    private double lastNorm;
    private double lastFilteredNorm;

    /**
     * @param grade the entropy controller to feed with this network's gradients, or {@code null}
     */
    public GradientPipeline(ParamBlock net, String name, Augmentations aug, Grade grade) {
        this.net = net;
        this.name = name;
        this.grokfast = aug.grokfast() ? new GrokfastEma(aug.grokfastAlpha(), aug.grokfastLambda()) : null;
        this.grade = grade;
        this.clip = aug.gradClip();
        this.g = new float[net.size()];
        int[] o = net.tensorOffsets();
        // A block with no registered networks counts as one tensor.
        this.offsets = o.length >= 2 ? o : new int[] {0, net.size()};
    }

    /**
     * Registers a callback receiving (raw gradient, gradient handed to the optimizer) after every
     * {@link #process}; for tests and gradient diagnostics. Both arrays are copies.
     */
    public void setObserver(java.util.function.BiConsumer<float[], float[]> observer) {
        this.observer = observer;
        this.raw = observer == null ? null : new float[g.length];
    }

    /** Transforms the network's current gradient in place and adds this step's metrics to {@code metrics}. */
    public void process(Map<String, Double> metrics) {
        net.copyGradsTo(g);
        if (observer != null) {
            System.arraycopy(g, 0, raw, 0, g.length);
        }
        lastNorm = l2(g);
        maxNorm = Math.max(maxNorm, lastNorm);
        boolean changed = false;
        if (grokfast != null) {
            grokfast.apply(g);
            changed = true;
        }
        lastFilteredNorm = grokfast != null ? l2(g) : lastNorm;
        if (grade != null) {
            grade.observe(g, offsets);
        }
        if (clip > 0 && lastFilteredNorm > clip) {
            float s = (float) (clip / (lastFilteredNorm + 1e-6));
            for (int i = 0; i < g.length; i++) {
                g[i] *= s;
            }
            changed = true;
        }
        if (changed) {
            net.setGrads(g);
        }
        if (observer != null) {
            observer.accept(raw.clone(), g.clone());
        }
        metrics.put("grad/" + name + "_norm", lastNorm);
        metrics.put("grad/" + name + "_norm_filtered", lastFilteredNorm);
        metrics.put("grad/" + name + "_max_norm", maxNorm);
    }

    /** L2 norm of the whole vector. */
    public static double l2(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    public double lastNorm() {
        return lastNorm;
    }

    public double maxNorm() {
        return maxNorm;
    }

    public GrokfastEma grokfast() {
        return grokfast;
    }

    /** Adds this pipeline's state (running max norm, Grokfast EMA) to a checkpoint. */
    public void save(dev.gymrpc.agents.io.StateBag bag, String prefix) {
        bag.put(prefix + ".max_norm", maxNorm);
        if (grokfast != null) {
            bag.putArray(prefix + ".grokfast_ema", grokfast.ema());
        }
    }

    public void restore(dev.gymrpc.agents.io.StateBag bag, String prefix) {
        maxNorm = bag.getDouble(prefix + ".max_norm");
        if (grokfast != null) {
            grokfast.restore(bag.array(prefix + ".grokfast_ema"));
        }
    }
}
