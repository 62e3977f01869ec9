package dev.gymrpc.agents.ppo;

import dev.gymrpc.agents.Augmentations;
import dev.gymrpc.agents.aug.Grade;
import dev.gymrpc.agents.aug.GradientPipeline;
import dev.gymrpc.agents.buffer.Advantages;
import dev.gymrpc.agents.nn.AdamOptimizer;
import dev.gymrpc.agents.nn.Categorical;
import dev.gymrpc.agents.nn.FastForward;
import dev.gymrpc.agents.nn.Mlp;
import dev.gymrpc.agents.nn.Nd4jRuntime;
import dev.gymrpc.agents.util.MetricMeans;
import dev.gymrpc.agents.util.Rng;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PPO-Clip (Schulman et al. 2017) with separate actor and critic networks. {@link #update} reads like
 * CleanRL's {@code ppo.py}: epochs x minibatches -> critic step -> actor step -> log.
 *
 * <p>Actor loss, the correct clipped objective (the paper's code forgot the second {@code * A}):
 * {@code L = -E[min(r A, clip(r, 1-eps, 1+eps) A)] - c_ent E[H(pi)]} with
 * {@code r = exp(log pi(a|s) - log pi_old(a|s))}; with GrAdE on, {@code c_ent = kappa * r_grade} using the
 * previous actor step's ratio. Critic loss {@code vfCoef * E[(V(s) - R)^2]}, stepped first in each
 * minibatch (paper). Gradients w.r.t. logits and values are written by hand:
 * {@code dL/dz_j = g (1[j=a] - p_j) + c_ent p_j (log p_j + H)} per sample, where {@code g = -A r} when the
 * unclipped branch is the minimum and 0 otherwise.
 */
public final class Ppo {

    private final PpoConfig cfg;
    private final int obsDim;
    private final int nActions;
    final Mlp actor;
    final Mlp critic;
    final AdamOptimizer actorOpt;
    final AdamOptimizer criticOpt;
    final GradientPipeline actorPipe;
    final GradientPipeline criticPipe;
    final Grade grade;
    final FastForward actorFast;
    final FastForward criticFast;
    private final Mlp.Tape actorTape;
    private final Mlp.Tape criticTape;
    private final float[] actLogits;
    private final float[] actLogp;
    private final float[] actP;
    private final float[] value1 = new float[1];
    long updates;

    public Ppo(PpoConfig cfg, int obsDim, int nActions, Rng rng) {
        Nd4jRuntime.init();
        this.cfg = cfg;
        this.obsDim = obsDim;
        this.nActions = nActions;
        actor = new Mlp(Mlp.layerSizes(obsDim, cfg.hidden(), nActions), cfg.init(), rng);
        critic = new Mlp(Mlp.layerSizes(obsDim, cfg.hidden(), 1), cfg.init(), rng);
        Augmentations aug = cfg.augmentations();
        actorOpt = new AdamOptimizer(actor.block(), cfg.actorLr(), aug.weightDecay());
        criticOpt = new AdamOptimizer(critic.block(), cfg.criticLr(), aug.weightDecay());
        grade = aug.grade() ? new Grade(aug.gradeBeta()) : null;
        actorPipe = new GradientPipeline(actor.block(), "actor", aug, grade);
        criticPipe = new GradientPipeline(critic.block(), "critic", aug, null);
        actorFast = new FastForward(actor);
        criticFast = new FastForward(critic);
        actorTape = actor.newTape();
        criticTape = critic.newTape();
        actLogits = new float[nActions];
        actLogp = new float[nActions];
        actP = new float[nActions];
    }

    /** The actor's gradient pipeline (to observe gradients in tests and diagnostics). */
    public GradientPipeline actorPipeline() {
        return actorPipe;
    }

    /** The critic's (SAC: both critics') gradient pipeline. */
    public GradientPipeline criticPipeline() {
        return criticPipe;
    }

    public Mlp actor() {
        return actor;
    }

    public Mlp critic() {
        return critic;
    }

    public long updates() {
        return updates;
    }

    public boolean actorFinite() {
        return actorFast.allFinite();
    }

    /**
     * Samples an action for one observation (argmax if deterministic); writes its log-probability to
     * {@code logpOut[0]}.
     */
    public int act(float[] obs, int off, boolean deterministic, Rng rng, float[] logpOut) {
        actorFast.forward(obs, off, actLogits, 0);
        Categorical.logSoftmax(actLogits, 1, nActions, actLogp, actP);
        int a = deterministic ? Categorical.argmax(actLogits, 0, nActions) : rng.categorical(actP, 0, nActions);
        logpOut[0] = actLogp[a];
        return a;
    }

    /** Entropy (nats) of the distribution the last {@link #act} call sampled from. */
    public double lastActEntropy() {
        return Categorical.entropy(actP, actLogp, 0, nActions);
    }

    /** V(s) of one observation. */
    public float value(float[] obs, int off) {
        criticFast.forward(obs, off, value1, 0);
        return value1[0];
    }

    /** The entropy coefficient of the next actor step (GrAdE: kappa * lagged ratio). */
    double entCoef() {
        return grade == null ? cfg.entCoef() : cfg.augmentations().gradeKappa() * grade.ratio();
    }

    /** Adds networks, optimizers, augmentation state and counters to a checkpoint. */
    public void save(dev.gymrpc.agents.io.StateBag bag) {
        bag.putArray("ppo.actor", actor.block().paramsCopy());
        bag.putArray("ppo.critic", critic.block().paramsCopy());
        actorOpt.save(bag, "ppo.actor");
        criticOpt.save(bag, "ppo.critic");
        actorPipe.save(bag, "ppo.actor");
        criticPipe.save(bag, "ppo.critic");
        if (grade != null) {
            grade.save(bag, "ppo.grade");
        }
        bag.put("ppo.updates", updates);
    }

    public void restore(dev.gymrpc.agents.io.StateBag bag) {
        actor.block().setAllParams(bag.array("ppo.actor"));
        critic.block().setAllParams(bag.array("ppo.critic"));
        actorOpt.restore(bag, "ppo.actor");
        criticOpt.restore(bag, "ppo.critic");
        actorPipe.restore(bag, "ppo.actor");
        criticPipe.restore(bag, "ppo.critic");
        if (grade != null) {
            grade.restore(bag, "ppo.grade");
        }
        updates = bag.getLong("ppo.updates");
        actorFast.refresh(actor);
        criticFast.refresh(critic);
    }

    /** Sets both learning rates to {@code frac} of their configured values (annealing). */
    public void setLearningRateFraction(double frac) {
        actorOpt.setLearningRateFraction(frac);
        criticOpt.setLearningRateFraction(frac);
    }

    /** Epochs x minibatches over {@code r}; returns metrics in a stable order. */
    public Map<String, Double> update(Rollout r, Rng rng) {
        int n = r.n();
        int mb = cfg.minibatchSize() == 0 ? n : Math.min(cfg.minibatchSize(), n);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        float[] mObs = new float[mb * obsDim];
        Mlp.Input fullIn = new Mlp.Input(obsDim, mb);
        Mlp.Input tailIn = n % mb == 0 ? null : new Mlp.Input(obsDim, n % mb);
        float[] mAdv = new float[mb];
        float[] mRet = new float[mb];
        float[] logits = new float[mb * nActions];
        float[] logp = new float[mb * nActions];
        float[] p = new float[mb * nActions];
        float[] v = new float[mb];
        float[] dLogits = new float[mb * nActions];
        float[] dV = new float[mb];
        MetricMeans means = new MetricMeans();
        Map<String, Double> step = new LinkedHashMap<>();
        double lastKl = 0;
        int epochsDone = 0;
        for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
            if (cfg.shuffle()) {
                for (int i = n - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    int t = idx[i];
                    idx[i] = idx[j];
                    idx[j] = t;
                }
            }
            double epochKl = 0;
            int epochBatches = 0;
            for (int start = 0; start < n; start += mb) {
                int m = Math.min(mb, n - start);
                gather(r, idx, start, m, mObs, mAdv, mRet);
                Mlp.Input in = (m == mb ? fullIn : tailIn).fill(mObs);
                step.clear();

                // Critic first (paper): vfCoef * mean((V - R)^2).
                double vLoss = criticGradient(in, mRet, m, v, dV);
                criticPipe.process(step);
                criticOpt.step();

                // Actor: clipped surrogate + entropy bonus.
                double gradeRatio = grade == null ? 0 : grade.ratio();
                double c = entCoef();
                double[] sums = actorGradient(in, r, idx, start, m, mAdv, c, logits, logp, p, dLogits);
                double pLoss = sums[0];
                double ent = sums[1];
                double kl = sums[2];
                double oldKl = sums[3];
                double clipped = sums[4];
                actorPipe.process(step);
                actorOpt.step();

                step.put("losses/value_loss", vLoss / m * cfg.vfCoef());
                step.put("losses/policy_loss", pLoss / m);
                step.put("losses/entropy", ent / m);
                step.put("losses/old_approx_kl", oldKl / m);
                step.put("losses/approx_kl", kl / m);
                step.put("losses/clipfrac", clipped / m);
                step.put("losses/ent_coef", c);
                if (grade != null) {
                    step.put("grade/ratio", gradeRatio);
                }
                means.addAll(step);
                epochKl += kl / m;
                epochBatches++;
            }
            epochsDone++;
            lastKl = epochKl / epochBatches;
            if (cfg.targetKl() > 0 && lastKl > cfg.targetKl()) {
                break;
            }
        }
        actorFast.refresh(actor);
        criticFast.refresh(critic);
        updates++;
        Map<String, Double> out = new LinkedHashMap<>();
        means.putMeans(out);
        out.put("losses/explained_variance", Advantages.explainedVariance(r.values(), r.returns(), n));
        out.put("charts/epochs", (double) epochsDone);
        out.put("charts/batch_size", (double) n);
        return out;
    }

    /** Copies samples {@code idx[start, start + m)} of {@code r} into the minibatch arrays (advantages standardised as configured). */
    private void gather(Rollout r, int[] idx, int start, int m, float[] mObs, float[] mAdv, float[] mRet) {
        for (int k = 0; k < m; k++) {
            int i = idx[start + k];
            System.arraycopy(r.obs(), i * obsDim, mObs, k * obsDim, obsDim);
            mAdv[k] = r.advantages()[i];
            mRet[k] = r.returns()[i];
        }
        if (cfg.normalizeAdvantages() && cfg.advantage() == PpoConfig.Advantage.GAE && m > 1) {
            Advantages.standardise(mAdv, 0, m, 1e-8);
        }
    }

    /** The critic's gradient of {@code vfCoef * mean((V - R)^2)} on {@code in}; returns the sum of squared errors. */
    private double criticGradient(Mlp.Input in, float[] mRet, int m, float[] v, float[] dV) {
        critic.forward(in, criticTape);
        criticTape.copyOutputTo(v);
        double vLoss = 0;
        for (int k = 0; k < m; k++) {
            double d = v[k] - mRet[k];
            vLoss += d * d;
            dV[k] = (float) (cfg.vfCoef() * 2 * d / m);
        }
        critic.backward(criticTape, dV);
        return vLoss;
    }

    /**
     * The actor's gradient of the clipped surrogate plus entropy bonus {@code c} on {@code in} (samples
     * {@code idx[start, start + m)} of {@code r}); returns the sums of the policy loss, entropy, approx KL,
     * old approx KL and clipped count.
     */
    private double[] actorGradient(Mlp.Input in, Rollout r, int[] idx, int start, int m, float[] mAdv, double c,
                                   float[] logits, float[] logp, float[] p, float[] dLogits) {
        actor.forward(in, actorTape);
        actorTape.copyOutputTo(logits);
        Categorical.logSoftmax(logits, m, nActions, logp, p);
        double pLoss = 0;
        double ent = 0;
        double kl = 0;
        double oldKl = 0;
        double clipped = 0;
        double lo = 1 - cfg.clipEps();
        double hi = 1 + cfg.clipEps();
        for (int k = 0; k < m; k++) {
            int i = idx[start + k];
            int a = r.actions()[i];
            double logRatio = logp[k * nActions + a] - r.logp()[i];
            double ratio = Math.exp(logRatio);
            double adv = mAdv[k];
            double unclipped = ratio * adv;
            double clip = Math.min(Math.max(ratio, lo), hi) * adv;
            pLoss -= Math.min(unclipped, clip);
            double g = unclipped <= clip ? -adv * ratio / m : 0;
            double h = Categorical.entropy(p, logp, k, nActions);
            ent += h;
            oldKl += -logRatio;
            kl += (ratio - 1) - logRatio;
            if (Math.abs(ratio - 1) > cfg.clipEps()) {
                clipped++;
            }
            for (int j = 0; j < nActions; j++) {
                int q = k * nActions + j;
                double dz = g * ((j == a ? 1 : 0) - p[q]) + c * p[q] * (logp[q] + h) / m;
                dLogits[q] = (float) dz;
            }
        }
        actor.backward(actorTape, java.util.Arrays.copyOf(dLogits, m * nActions));
        return new double[] {pLoss, ent, kl, oldKl, clipped};
    }

    /**
     * Gradient-quality hook: the raw gradients of the critic's and the actor's losses of an update's first
     * step on samples {@code idx} of {@code r} (repeats allowed) at the current parameters, into
     * {@code criticOut} and {@code actorOut}; no optimizer step, Grokfast or GrAdE state is touched (the
     * networks' gradient buffers are overwritten, as the next update's backward passes do anyway).
     */
    public void probeGradients(Rollout r, int[] idx, float[] criticOut, float[] actorOut) {
        int m = idx.length;
        float[] mObs = new float[m * obsDim];
        float[] mAdv = new float[m];
        float[] mRet = new float[m];
        gather(r, idx, 0, m, mObs, mAdv, mRet);
        Mlp.Input in = new Mlp.Input(obsDim, m).fill(mObs);
        criticGradient(in, mRet, m, new float[m], new float[m]);
        critic.block().copyGradsTo(criticOut);
        int k = m * nActions;
        actorGradient(in, r, idx, 0, m, mAdv, entCoef(), new float[k], new float[k], new float[k], new float[k]);
        actor.block().copyGradsTo(actorOut);
    }

    /** Samples per gradient step for a rollout of {@code n} ({@code minibatch_size}, 0 = all). */
    public int minibatchSize(int n) {
        return cfg.minibatchSize() == 0 ? n : Math.min(cfg.minibatchSize(), n);
    }
}
