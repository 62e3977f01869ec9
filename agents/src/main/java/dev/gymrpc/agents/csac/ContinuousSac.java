package dev.gymrpc.agents.csac;

import dev.gymrpc.agents.ActionHead;
import dev.gymrpc.agents.aug.GradientPipeline;
import dev.gymrpc.agents.buffer.ReplayBuffer;
import dev.gymrpc.agents.diag.GradientQuality;
import dev.gymrpc.agents.nn.Mlp;
import dev.gymrpc.agents.offpolicy.SoftActorCritic;
import dev.gymrpc.agents.util.Rng;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Soft Actor-Critic for continuous actions (Haarnoja et al. 2018, "Soft Actor-Critic Algorithms and
 * Applications", Algorithm 1 with the learned temperature of sec. 5; structure of CleanRL's
 * {@code sac_continuous_action.py}): twin critics Q1, Q2: (s, a) -> R with Polyak-averaged targets, a
 * tanh-squashed Gaussian actor ({@link SquashedGaussian}) and a learned temperature with target entropy
 * {@code targetEntropyPerDim * |A|} (-|A| by default).
 *
 * <p>{@link #update} reads top to bottom like the paper:
 * <ol>
 *   <li>soft target {@code y = r + gamma (1 - terminated) [min(Q1', Q2')(s', a') - alpha log pi(a'|s')]},
 *       {@code a' ~ pi(.|s')} (one sampled next action, sec. 4.2; truncated transitions are bootstrapped);</li>
 *   <li>critic losses {@code MSE(Q_i(s, a), y)}, one Adam step over both (CleanRL's qf1_loss + qf2_loss);</li>
 *   <li>actor loss {@code E[alpha log pi(a~|s) - min(Q1, Q2)(s, a~)]}, {@code a~} reparameterised (sec. 4.2),
 *       against the critics after their step; dQ/da comes from {@link Mlp#backwardInput} of the critics and
 *       the rest of the chain is written out in {@link SquashedGaussian#backward}. With GrAdE the
 *       single-sample entropy bonus {@code alpha * r * H}, {@code H ~ -log pi}, is subtracted (kappa =
 *       alpha, as in Discrete SAC), i.e. the log pi weight becomes {@code alpha (1 + r)};</li>
 *   <li>temperature loss {@code E[-alpha (log pi(a~|s) + H_target)]} (sec. 5) on log alpha, with the
 *       log-probabilities of step 3 (detached);</li>
 *   <li>Polyak averaging of both target critics.</li>
 * </ol>
 * Grokfast, GrAdE, clipping and weight decay go through the shared {@link GradientPipeline} exactly as in
 * Discrete SAC; networks, optimizers, temperature, checkpointing and the end of each update are shared
 * with it in {@link SoftActorCritic}. Not thread-safe.
 */
public final class ContinuousSac extends SoftActorCritic {

    private final ContinuousSacConfig cfg;
    private final ActionHead head;
    private final int obsDim;
    private final int actDim;

    // Per-update scratch, sized for cfg.batchSize().
    private final Mlp.Input obsIn;
    private final Mlp.Input nextObsIn;
    private final Mlp.Input saIn;
    private final Mlp.Input nextSaIn;
    private final Mlp.Input piSaIn;
    private final Mlp.Tape actorTape;
    private final Mlp.Tape q1Tape;
    private final Mlp.Tape q2Tape;
    private final Mlp.Tape q1tTape;
    private final Mlp.Tape q2tTape;
    private final float[] out;
    private final double[] eps;
    private final double[] tanhU;
    private final float[] act;
    private final double[] logp;
    private final float[] sa;
    private final float[] qa;
    private final float[] qb;
    private final float[] y;
    private final float[] dQ1;
    private final float[] dQ2;
    private final float[] gIn1;
    private final float[] gIn2;
    private final double[] gA;
    private final double[] gL;
    private final float[] dOut;
    private final float[] actOut;

    public ContinuousSac(ContinuousSacConfig cfg, int obsDim, ActionHead head, Rng rng) {
        super(cfg, "csac", Mlp.layerSizes(obsDim, cfg.hidden(), requireSquashedGaussian(head).outputs()),
                Mlp.layerSizes(obsDim + head.n(), cfg.hidden(), 1), cfg.targetEntropyPerDim() * head.n(), obsDim, head.n(), rng);
        this.cfg = cfg;
        this.head = head;
        this.obsDim = obsDim;
        this.actDim = head.n();

        int b = cfg.batchSize();
        int d = actDim;
        obsIn = new Mlp.Input(obsDim, b);
        nextObsIn = new Mlp.Input(obsDim, b);
        saIn = new Mlp.Input(obsDim + d, b);
        nextSaIn = new Mlp.Input(obsDim + d, b);
        piSaIn = new Mlp.Input(obsDim + d, b);
        actorTape = actor.newTape();
        q1Tape = q1.newTape();
        q2Tape = q2.newTape();
        q1tTape = q1Target.newTape();
        q2tTape = q2Target.newTape();
        out = new float[b * 2 * d];
        eps = new double[b * d];
        tanhU = new double[b * d];
        act = new float[b * d];
        logp = new double[b];
        sa = new float[b * (obsDim + d)];
        qa = new float[b];
        qb = new float[b];
        y = new float[b];
        dQ1 = new float[b];
        dQ2 = new float[b];
        gIn1 = new float[b * (obsDim + d)];
        gIn2 = new float[b * (obsDim + d)];
        gA = new double[b * d];
        gL = new double[b];
        dOut = new float[b * 2 * d];
        actOut = new float[2 * d];
    }

    private static ActionHead requireSquashedGaussian(ActionHead head) {
        if (head.kind() != ActionHead.Kind.SQUASHED_GAUSSIAN) {
            throw new IllegalArgumentException("continuous SAC needs a squashed Gaussian head, got " + head.kind());
        }
        return head;
    }

    public ContinuousSacConfig config() {
        return cfg;
    }

    public ActionHead head() {
        return head;
    }

    /**
     * Writes an env action for one observation into {@code dst}: sampled from the squashed Gaussian with
     * {@code rng}, or {@code bias + scale * tanh(mu)} if deterministic (the draw {@code Policy} makes),
     * clamped to the Box so float rounding of {@code bias + scale * tanh} never leaves it.
     */
    public void act(float[] obs, boolean deterministic, Rng rng, float[] dst) {
        actorFast.forward(obs, 0, actOut, 0);
        for (int j = 0; j < actDim; j++) {
            double u = actOut[j];
            if (!deterministic) {
                u += Math.exp(ActionHead.logStd(actOut[actDim + j])) * rng.nextGaussian();
            }
            float a = (float) (head.bias(j) + head.scale(j) * Math.tanh(u));
            dst[j] = Math.min(head.high()[j], Math.max(head.low()[j], a));
        }
    }

    /** Sets the three learning rates to {@code frac} of their configured values (linear annealing). */
    public void setLearningRateFraction(double frac) {
        actorOpt.setLearningRateFraction(frac);
        criticOpt.setLearningRateFraction(frac);
        temperature.setLearningRateFraction(frac);
    }

    /** One full update on {@code b} (critics, actor, temperature, targets); metrics in a stable order. */
    public Map<String, Double> update(ReplayBuffer.Batch b, Rng rng) {
        return update(b, rng, null, null);
    }

    @Override
    protected Map<String, Double> update(ReplayBuffer.Batch b, Rng rng, GradientQuality gq, ReplayBuffer source) {
        int n = b.size;
        if (n != cfg.batchSize()) {
            throw new IllegalArgumentException("batch of " + n + " transitions, config says " + cfg.batchSize());
        }
        Map<String, Double> m = new LinkedHashMap<>();
        double alpha = temperature.alpha();
        if (gq != null) {
            gq.measure("critic", critics.size(), criticPipe, (g, o) -> probeCritics(source, g, alpha, o[0]));
        }
        Mlp.Input sIn = obsIn.fill(b.obs);
        Mlp.Input s2In = nextObsIn.fill(b.nextObs);

        // 1. Soft targets with one reparameterised next action per transition.
        softTargets(b, s2In, alpha, rng);

        // 2. Critics: MSE(Q_i(s, a), y) summed over both, one Adam step.
        saIn.fill(concat(b.obs, b.actions, n));
        m.put("losses/qf1_loss", criticLoss(q1, q1Tape, n, m, "qf1"));
        m.put("losses/qf2_loss", criticLoss(q2, q2Tape, n, m, "qf2"));
        stepCritics(m);

        // 3. Actor against min(Q1, Q2) of the updated critics at a reparameterised action.
        double r = gradeRatio();
        if (gq != null) {
            gq.measure("actor", actor.block().size(), actorPipe, (g, o) -> probeActor(source, g, alpha, r, o[0]));
            sIn = obsIn.fill(b.obs); // the probe used the shared input
        }
        double[] a = actorGradient(b, sIn, alpha, r, rng);
        double actorLoss = a[0];
        double logpSum = a[1];
        double qMin = a[2];
        stepActor(m);
        m.put("losses/actor_loss", actorLoss / n);
        m.put("losses/entropy", -logpSum / n);
        m.put("losses/min_qf_expected", qMin / n);

        // 4. Temperature: J(alpha) = E[-alpha (log pi + H_target)]; dJ/d(log alpha) equals the loss value.
        double alphaLoss = -alpha * (logpSum / n + targetEntropy);

        // 5. GrAdE metrics, temperature step and target critics.
        return finishUpdate(m, alpha, r, alphaLoss);
    }

    /** Fills {@code y} with the soft targets of {@code b}, one next action per transition drawn with {@code rng}. */
    private void softTargets(ReplayBuffer.Batch b, Mlp.Input s2In, double alpha, Rng rng) {
        int n = b.size;
        int d = actDim;
        actor.forward(s2In, actorTape);
        actorTape.copyOutputTo(out);
        SquashedGaussian.drawNoise(rng, eps, n, d);
        SquashedGaussian.sample(head, out, eps, n, act, tanhU, logp);
        nextSaIn.fill(concat(b.nextObs, act, n));
        q1Target.forward(nextSaIn, q1tTape);
        q1tTape.copyOutputTo(qa);
        q2Target.forward(nextSaIn, q2tTape);
        q2tTape.copyOutputTo(qb);
        for (int i = 0; i < n; i++) {
            double v = Math.min(qa[i], qb[i]) - alpha * logp[i];
            y[i] = (float) (b.rewards[i] + cfg.gamma() * (1 - b.terminated[i]) * v);
        }
    }

    /**
     * The actor's gradient at a reparameterised action (noise from {@code rng}) against min(Q1, Q2), with
     * GrAdE's bonus for ratio {@code r}, written to its parameter gradient; returns the sums of the actor
     * loss, log pi and the min-Q.
     */
    private double[] actorGradient(ReplayBuffer.Batch b, Mlp.Input sIn, double alpha, double r, Rng rng) {
        int n = b.size;
        int d = actDim;
        actor.forward(sIn, actorTape);
        actorTape.copyOutputTo(out);
        SquashedGaussian.drawNoise(rng, eps, n, d);
        SquashedGaussian.sample(head, out, eps, n, act, tanhU, logp);
        piSaIn.fill(concat(b.obs, act, n));
        q1.forward(piSaIn, q1Tape);
        q1Tape.copyOutputTo(qa);
        q2.forward(piSaIn, q2Tape);
        q2Tape.copyOutputTo(qb);
        double entW = alpha * (1 + r); // alpha log pi plus GrAdE's -alpha r H with H ~ -log pi
        double actorLoss = 0;
        double logpSum = 0;
        double qMin = 0;
        for (int i = 0; i < n; i++) {
            // The gradient of min(Q1, Q2) flows into the smaller critic only (as torch.min's).
            boolean first = qa[i] <= qb[i];
            dQ1[i] = first ? 1f : 0f;
            dQ2[i] = first ? 0f : 1f;
            double mq = first ? qa[i] : qb[i];
            actorLoss += alpha * logp[i] - mq;
            logpSum += logp[i];
            qMin += mq;
            gL[i] = entW / n;
        }
        q1.backwardInput(q1Tape, dQ1, gIn1);
        q2.backwardInput(q2Tape, dQ2, gIn2);
        int w = obsDim + d;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                gA[i * d + j] = -(gIn1[i * w + obsDim + j] + gIn2[i * w + obsDim + j]) / (double) n;
            }
        }
        SquashedGaussian.backward(head, out, eps, tanhU, n, gA, gL, dOut);
        actor.backward(actorTape, dOut);
        return new double[] {actorLoss, logpSum, qMin};
    }

    /** Gradient-quality hook: both critics' raw gradient on a fresh batch from {@code source}; no step. */
    private void probeCritics(ReplayBuffer source, Rng rng, double alpha, float[] o) {
        ReplayBuffer.Batch pb = probeBatch();
        source.sample(rng, pb);
        softTargets(pb, nextObsIn.fill(pb.nextObs), alpha, rng);
        saIn.fill(concat(pb.obs, pb.actions, pb.size));
        Map<String, Double> ignored = new LinkedHashMap<>();
        criticLoss(q1, q1Tape, pb.size, ignored, "qf1");
        criticLoss(q2, q2Tape, pb.size, ignored, "qf2");
        critics.copyGradsTo(o);
    }

    /** Gradient-quality hook: the actor's raw gradient on a fresh batch from {@code source}; no step. */
    private void probeActor(ReplayBuffer source, Rng rng, double alpha, double r, float[] o) {
        ReplayBuffer.Batch pb = probeBatch();
        source.sample(rng, pb);
        actorGradient(pb, obsIn.fill(pb.obs), alpha, r, rng);
        actor.block().copyGradsTo(o);
    }

    /** Rows {@code [obs_i, act_i]} for the critics' input. */
    private float[] concat(float[] o, float[] a, int n) {
        int d = actDim;
        int w = obsDim + d;
        for (int i = 0; i < n; i++) {
            System.arraycopy(o, i * obsDim, sa, i * w, obsDim);
            System.arraycopy(a, i * d, sa, i * w + obsDim, d);
        }
        return sa;
    }

    /** Forward on {@code saIn}, MSE loss against {@code y} and backward of one critic (fills its part of the block's gradient). */
    private double criticLoss(Mlp q, Mlp.Tape tape, int n, Map<String, Double> m, String name) {
        q.forward(saIn, tape);
        tape.copyOutputTo(qa);
        double loss = 0;
        double qsum = 0;
        for (int i = 0; i < n; i++) {
            double e = qa[i] - y[i];
            loss += e * e;
            qsum += qa[i];
            dQ1[i] = (float) (2 * e / n);
        }
        q.backward(tape, dQ1);
        m.put("losses/" + name + "_values", qsum / n);
        return loss / n;
    }
}
