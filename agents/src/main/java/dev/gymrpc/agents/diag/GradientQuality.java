package dev.gymrpc.agents.diag;

import dev.gymrpc.agents.aug.GradientPipeline;
import dev.gymrpc.agents.util.Rng;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gradient-quality diagnostics after Ilyas et al. (2020), "A closer look at deep policy gradients": how
 * noisy an algorithm's minibatch gradient is and how well the step it actually takes points along the
 * gradient of a much larger sample. Algorithm-agnostic; an algorithm opts in by giving {@link #measure} a
 * {@link Sampler}, i.e. "the raw gradient of this network's loss on one fresh minibatch at the current
 * parameters", computed without an optimizer step and without touching Grokfast, GrAdE, optimizer or
 * any other training state, and by calling {@link #report} once the update is done.
 *
 * <p>One measurement of a network draws M independent minibatch gradients {@code g_1..g_M} (the
 * algorithm's own estimator: its batch size, its data) and L further ones whose mean is the large-batch
 * ("true") gradient {@code G} (an L x batch-size sample; independent of the {@code g_i}). It reports, for
 * network {@code <net>} ({@code critic}, {@code actor}):
 * <ul>
 *   <li>{@code gradq/<net>_pairwise_cos}: mean cosine over the M(M-1)/2 pairs {@code (g_i, g_j)} (Ilyas et
 *       al.'s "gradient variance" plot; 1 = the estimate does not depend on the sample);</li>
 *   <li>{@code gradq/<net>_true_cos}: mean cosine of {@code g_i} with {@code G};</li>
 *   <li>{@code gradq/<net>_rel_var}: {@code tr(S) / |G|^2}, with {@code S} the sample covariance (divisor
 *       M-1) of the {@code g_i}: total variance of one minibatch gradient relative to the squared norm of the
 *       large-batch gradient (noise-to-signal; 0 = noiseless);</li>
 *   <li>{@code gradq/<net>_true_norm}, {@code gradq/<net>_mb_norm}: |G| and the mean |g_i|;</li>
 *   <li>{@code gradq/<net>_raw_step_true_cos}: cosine of the raw gradient of the update's first step of
 *       this network (the minibatch gradient it actually used) with {@code G};</li>
 *   <li>{@code gradq/<net>_step_true_cos}: cosine of the direction handed to the optimizer in that step
 *       (after Grokfast filtering and clipping, when on) with {@code G}. With Grokfast and clipping off it
 *       equals the raw one.</li>
 * </ul>
 * All randomness (which samples, policy noise, fresh episodes) comes from this object's own {@link Rng},
 * seeded from the run seed, so the training trajectory is the same with diagnostics on or off.
 */
public final class GradientQuality {

    /** One independent draw of an algorithm's minibatch gradient estimator, for each probed network. */
    @FunctionalInterface
    public interface Sampler {
        /**
         * Fills {@code out[k]} (the k-th network's parameter count) with the raw gradient of network k's loss
         * on a fresh minibatch drawn with {@code rng}, at the current parameters; changes no training state.
         */
        void sample(Rng rng, float[][] out);
    }

    /** The statistics of one measurement. */
    public record Stats(double pairwiseCos, double trueCos, double relVar, double trueNorm, double meanNorm) {
    }

    private final GradientDiagnostics options;
    private final Rng rng;
    private final Map<String, Double> pending = new LinkedHashMap<>();
    private final Map<GradientPipeline, Boolean> watching = new java.util.IdentityHashMap<>();

    public GradientQuality(GradientDiagnostics options, long runSeed) {
        this.options = options;
        // Its own stream: nothing the run draws from is touched.
        this.rng = new Rng(runSeed * 0x9E3779B97F4A7C15L + 0x6772616471L);
    }

    public GradientDiagnostics options() {
        return options;
    }

    /** Whether the update with 1-based index {@code update} is measured. */
    public boolean due(long update) {
        return options.due(update);
    }

    /**
     * Measures networks {@code names} (parameter counts {@code sizes}) with {@code sampler}; if
     * {@code pipes[k]} is not null, also compares the first step that pipeline processes after this call
     * (the update's step) with the large-batch gradient. Results are added by {@link #report}.
     */
    public void measure(String[] names, int[] sizes, GradientPipeline[] pipes, Sampler sampler) {
        int k = names.length;
        int m = options.minibatches();
        int l = options.largeBatch();
        float[][][] g = new float[k][m][];
        float[][] buf = new float[k][];
        double[][] sum = new double[k][];
        for (int j = 0; j < k; j++) {
            buf[j] = new float[sizes[j]];
            sum[j] = new double[sizes[j]];
        }
        for (int i = 0; i < m; i++) {
            sampler.sample(rng, buf);
            for (int j = 0; j < k; j++) {
                g[j][i] = buf[j].clone();
            }
        }
        for (int i = 0; i < l; i++) {
            sampler.sample(rng, buf);
            for (int j = 0; j < k; j++) {
                for (int p = 0; p < sizes[j]; p++) {
                    sum[j][p] += buf[j][p];
                }
            }
        }
        for (int j = 0; j < k; j++) {
            float[] big = new float[sizes[j]];
            for (int p = 0; p < sizes[j]; p++) {
                big[p] = (float) (sum[j][p] / l);
            }
            Stats s = stats(g[j], big);
            String pre = "gradq/" + names[j] + "_";
            pending.put(pre + "pairwise_cos", s.pairwiseCos());
            pending.put(pre + "true_cos", s.trueCos());
            pending.put(pre + "rel_var", s.relVar());
            pending.put(pre + "true_norm", s.trueNorm());
            pending.put(pre + "mb_norm", s.meanNorm());
            GradientPipeline pipe = pipes == null ? null : pipes[j];
            if (pipe != null) {
                watching.put(pipe, Boolean.TRUE);
                pipe.setObserver((raw, applied) -> {
                    pending.put(pre + "raw_step_true_cos", cos(raw, big));
                    pending.put(pre + "step_true_cos", cos(applied, big));
                    pipe.setObserver(null);
                    watching.remove(pipe);
                });
            }
        }
    }

    /** One network: {@code measure(new String[] {name}, ...)}. */
    public void measure(String name, int size, GradientPipeline pipe, Sampler sampler) {
        measure(new String[] {name}, new int[] {size}, new GradientPipeline[] {pipe}, sampler);
    }

    /** Adds the metrics of the measurements since the last call to {@code metrics} (after the update's own). */
    public void report(Map<String, Double> metrics) {
        for (GradientPipeline p : watching.keySet()) {
            p.setObserver(null); // a step that never came (e.g. cancelled): stop watching
        }
        watching.clear();
        metrics.putAll(pending);
        pending.clear();
    }

    /** The statistics of minibatch gradients {@code g} (at least 2) against the large-batch gradient {@code big}. */
    public static Stats stats(float[][] g, float[] big) {
        int m = g.length;
        int n = big.length;
        double pair = 0;
        int pairs = 0;
        for (int i = 0; i < m; i++) {
            for (int j = i + 1; j < m; j++) {
                pair += cos(g[i], g[j]);
                pairs++;
            }
        }
        double tc = 0;
        double norms = 0;
        for (float[] gi : g) {
            tc += cos(gi, big);
            norms += GradientPipeline.l2(gi);
        }
        double trace = 0;
        for (int p = 0; p < n; p++) {
            double mean = 0;
            for (float[] gi : g) {
                mean += gi[p];
            }
            mean /= m;
            for (float[] gi : g) {
                double d = gi[p] - mean;
                trace += d * d;
            }
        }
        trace /= (m - 1);
        double bn = GradientPipeline.l2(big);
        double relVar = bn > 0 ? trace / (bn * bn) : (trace > 0 ? 1e12 : 0);
        return new Stats(pairs == 0 ? 1 : pair / pairs, tc / m, Math.min(relVar, 1e12), bn, norms / m);
    }

    /** Cosine similarity; 0 when either vector is zero. */
    public static double cos(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
    }
}
