package dev.gymrpc.agents.sac;

import dev.gymrpc.agents.buffer.ReplayBuffer;
import dev.gymrpc.agents.diag.GradientQuality;
import dev.gymrpc.agents.nn.Categorical;
import dev.gymrpc.agents.nn.FastForward;
import dev.gymrpc.agents.nn.Mlp;
import dev.gymrpc.agents.offpolicy.SoftActorCritic;
import dev.gymrpc.agents.util.Rng;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Discrete Soft Actor-Critic (Christodoulou 2019, "Soft Actor-Critic for Discrete Action Settings"; main
 * paper eqs. 1-6): twin critics Q1, Q2: S -> R^|A| with Polyak-averaged targets, a softmax actor, and a
 * learned temperature. All expectations over actions are exact sums over the |A| probabilities.
 *
 * <p>{@link #update} reads top to bottom like the paper:
 * <ol>
 *   <li>soft target {@code y = r + gamma (1 - terminated) pi(s')^T [min(Q1', Q2')(s') - alpha log pi(s')]}
 *       (eq. 3; truncated transitions are bootstrapped);</li>
 *   <li>critic losses {@code MSE(Q_i(s, a), y)}, one Adam step each;</li>
 *   <li>actor loss {@code E_s[pi(s)^T (alpha log pi(s) - min(Q1, Q2)(s))]} (eq. 5) with the critics after
 *       their step; with GrAdE the entropy bonus {@code alpha * r * H(pi)} is subtracted (kappa = alpha);</li>
 *   <li>temperature loss {@code E_s[pi(s)^T (-alpha (log pi(s) + H_target))]} (eq. 6) on log alpha;</li>
 *   <li>Polyak averaging of both target critics.</li>
 * </ol>
 * Losses are differentiated by hand with respect to the network outputs (logits or Q-values) and
 * backpropagated through {@link Mlp}. Networks, optimizers, temperature, checkpointing and the end of each
 * update are shared with continuous SAC in {@link SoftActorCritic}. Not thread-safe.
 */
public final class DiscreteSac extends SoftActorCritic {

    private final SacConfig cfg;
    private final int nActions;

    // Per-update scratch, sized for cfg.batchSize().
    private final Mlp.Input obsIn;
    private final Mlp.Input nextObsIn;
    private final Mlp.Tape actorTape;
    private final Mlp.Tape q1Tape;
    private final Mlp.Tape q2Tape;
    private final Mlp.Tape q1tTape;
    private final Mlp.Tape q2tTape;
    private final float[] logits;
    private final float[] logp;
    private final float[] p;
    private final float[] qa;
    private final float[] qb;
    private final float[] y;
    private final float[] dOut;
    private final float[] actLogits;
    private final float[] actLogp;
    private final float[] actP;

    public DiscreteSac(SacConfig cfg, int obsDim, int nActions, Rng rng) {
        super(cfg, "sac", Mlp.layerSizes(obsDim, cfg.hidden(), nActions), Mlp.layerSizes(obsDim, cfg.hidden(), nActions),
                cfg.targetEntropyScale() * Math.log(nActions), obsDim, 1, rng);
        this.cfg = cfg;
        this.nActions = nActions;

        int b = cfg.batchSize();
        obsIn = new Mlp.Input(obsDim, b);
        nextObsIn = new Mlp.Input(obsDim, b);
        actorTape = actor.newTape();
        q1Tape = q1.newTape();
        q2Tape = q2.newTape();
        q1tTape = q1Target.newTape();
        q2tTape = q2Target.newTape();
        logits = new float[b * nActions];
        logp = new float[b * nActions];
        p = new float[b * nActions];
        qa = new float[b * nActions];
        qb = new float[b * nActions];
        y = new float[b];
        dOut = new float[b * nActions];
        actLogits = new float[nActions];
        actLogp = new float[nActions];
        actP = new float[nActions];
    }

    public SacConfig config() {
        return cfg;
    }

    /** Q1(s, .) for one observation (diagnostics; plain-Java forward on a copy of the weights). */
    public float[] q1Values(float[] obs) {
        float[] out = new float[nActions];
        new FastForward(q1).forward(obs, 0, out, 0);
        return out;
    }

    /** Samples (or, if deterministic, argmaxes) an action for one observation, on the fast path. */
    public int act(float[] obs, boolean deterministic, Rng rng) {
        actorFast.forward(obs, 0, actLogits, 0);
        if (deterministic) {
            return Categorical.argmax(actLogits, 0, nActions);
        }
        Categorical.logSoftmax(actLogits, 1, nActions, actLogp, actP);
        return rng.categorical(actP, 0, nActions);
    }

    /** One full update on {@code b} (critics, actor, temperature, targets). */
    public Map<String, Double> update(ReplayBuffer.Batch b) {
        return update(b, null, null, null);
    }

    @Override
    protected Map<String, Double> update(ReplayBuffer.Batch b, Rng noise, GradientQuality gq, ReplayBuffer source) {
        int n = b.size;
        Map<String, Double> m = new LinkedHashMap<>();
        double alpha = temperature.alpha();
        if (n != cfg.batchSize()) {
            throw new IllegalArgumentException("batch of " + n + " transitions, config says " + cfg.batchSize());
        }
        if (gq != null) {
            gq.measure("critic", critics.size(), criticPipe, (rng, out) -> probeCritics(source, rng, alpha, out[0]));
        }
        Mlp.Input sIn = obsIn.fill(b.obs);
        Mlp.Input s2In = nextObsIn.fill(b.nextObs);

        // 1. Soft targets (eq. 3), with exact expectation over next actions.
        softTargets(b, s2In, alpha);

        // 2. Critics: MSE(Q_i(s, a), y) summed over both (CleanRL's qf1_loss + qf2_loss), one Adam step.
        m.put("losses/qf1_loss", criticLoss(q1, q1Tape, sIn, b, m, "qf1"));
        m.put("losses/qf2_loss", criticLoss(q2, q2Tape, sIn, b, m, "qf2"));
        stepCritics(m);

        // 3. Actor (eq. 5) against min(Q1, Q2) of the updated critics; GrAdE adds alpha * r * H (lagged r).
        double r = gradeRatio();
        if (gq != null) {
            gq.measure("actor", actor.block().size(), actorPipe, (rng, out) -> probeActor(source, rng, alpha, r, out[0]));
            sIn = obsIn.fill(b.obs); // the probe used the shared input
        }
        double[] a = actorGradient(sIn, n, alpha, r);
        stepActor(m);
        m.put("losses/actor_loss", a[0] / n);
        m.put("losses/entropy", a[1] / n);
        m.put("losses/min_qf_expected", a[3] / n);

        // 4. Temperature (eq. 6): J(alpha) = E[pi^T(-alpha (log pi + H_target))], differentiated w.r.t. log alpha.
        // dJ/d(log alpha) = -alpha * E[...] equals the loss value itself.
        double alphaLoss = -alpha * a[2] / n;

        // 5. GrAdE metrics, temperature step and target critics.
        return finishUpdate(m, alpha, r, alphaLoss);
    }

    /** Fills {@code y} with the soft targets of {@code b} (eq. 3); {@code s2In} holds its next observations. */
    private void softTargets(ReplayBuffer.Batch b, Mlp.Input s2In, double alpha) {
        int n = b.size;
        int na = nActions;
        actor.forward(s2In, actorTape);
        actorTape.copyOutputTo(logits);
        Categorical.logSoftmax(logits, n, na, logp, p);
        q1Target.forward(s2In, q1tTape);
        q1tTape.copyOutputTo(qa);
        q2Target.forward(s2In, q2tTape);
        q2tTape.copyOutputTo(qb);
        for (int i = 0; i < n; i++) {
            double v = 0;
            for (int a = 0; a < na; a++) {
                int k = i * na + a;
                v += p[k] * (Math.min(qa[k], qb[k]) - alpha * logp[k]);
            }
            y[i] = (float) (b.rewards[i] + cfg.gamma() * (1 - b.terminated[i]) * v);
        }
    }

    /**
     * The actor's gradient (eq. 5, with GrAdE's bonus for ratio {@code r}) on the observations in
     * {@code sIn}, written to its parameter gradient; returns the sums of the actor loss, entropy,
     * {@code sum p (log p + H_target)} and the expected min-Q.
     */
    private double[] actorGradient(Mlp.Input sIn, int n, double alpha, double r) {
        int na = nActions;
        q1.forward(sIn, q1Tape);
        q1Tape.copyOutputTo(qa);
        q2.forward(sIn, q2Tape);
        q2Tape.copyOutputTo(qb);
        actor.forward(sIn, actorTape);
        actorTape.copyOutputTo(logits);
        Categorical.logSoftmax(logits, n, na, logp, p);
        double entW = alpha * (1 + r); // alpha * logpi term plus GrAdE's -alpha*r*H = +alpha*r*sum p logp
        double actorLoss = 0;
        double entropy = 0;
        double entGap = 0; // E[sum p (log p + H_target)] for the temperature
        double qMin = 0;
        for (int i = 0; i < n; i++) {
            double expC = 0;
            for (int a = 0; a < na; a++) {
                int k = i * na + a;
                double mq = Math.min(qa[k], qb[k]);
                double c = entW * logp[k] - mq;
                expC += p[k] * c;
                actorLoss += p[k] * (alpha * logp[k] - mq);
                entropy -= p[k] * logp[k];
                entGap += p[k] * (logp[k] + targetEntropy);
                qMin += p[k] * mq;
            }
            // d/dz_j sum_a p_a c_a = p_j (c_j - sum_a p_a c_a)  (c depends on z through log p; the extra
            // terms cancel because sum_j dp_j = 0).
            for (int a = 0; a < na; a++) {
                int k = i * na + a;
                double c = entW * logp[k] - Math.min(qa[k], qb[k]);
                dOut[k] = (float) (p[k] * (c - expC) / n);
            }
        }
        actor.backward(actorTape, dOut);
        return new double[] {actorLoss, entropy, entGap, qMin};
    }

    /**
     * Gradient-quality hook: both critics' raw gradient (the critic step's loss) on a fresh batch from
     * {@code source}; no step, and the scratch it uses is recomputed by the update afterwards.
     */
    private void probeCritics(ReplayBuffer source, Rng rng, double alpha, float[] out) {
        ReplayBuffer.Batch pb = probeBatch();
        source.sample(rng, pb);
        Mlp.Input sIn = obsIn.fill(pb.obs);
        softTargets(pb, nextObsIn.fill(pb.nextObs), alpha);
        Map<String, Double> ignored = new LinkedHashMap<>();
        criticLoss(q1, q1Tape, sIn, pb, ignored, "qf1");
        criticLoss(q2, q2Tape, sIn, pb, ignored, "qf2");
        critics.copyGradsTo(out);
    }

    /** Gradient-quality hook: the actor's raw gradient (the actor step's loss) on a fresh batch from {@code source}. */
    private void probeActor(ReplayBuffer source, Rng rng, double alpha, double r, float[] out) {
        ReplayBuffer.Batch pb = probeBatch();
        source.sample(rng, pb);
        actorGradient(obsIn.fill(pb.obs), pb.size, alpha, r);
        actor.block().copyGradsTo(out);
    }

    /** Forward, MSE loss against {@code y} and backward of one critic (fills its part of the block's gradient). */
    private double criticLoss(Mlp q, Mlp.Tape tape, Mlp.Input sIn, ReplayBuffer.Batch b, Map<String, Double> m, String name) {
        int n = b.size;
        int na = nActions;
        q.forward(sIn, tape);
        tape.copyOutputTo(qa);
        java.util.Arrays.fill(dOut, 0, n * na, 0f);
        double loss = 0;
        double qsum = 0;
        for (int i = 0; i < n; i++) {
            int k = i * na + (int) b.actions[i];
            double d = qa[k] - y[i];
            loss += d * d;
            qsum += qa[k];
            dOut[k] = (float) (2 * d / n);
        }
        q.backward(tape, dOut);
        m.put("losses/" + name + "_values", qsum / n);
        return loss / n;
    }
}
