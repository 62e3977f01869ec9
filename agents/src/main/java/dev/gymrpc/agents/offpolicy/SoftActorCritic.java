package dev.gymrpc.agents.offpolicy;

import dev.gymrpc.agents.Augmentations;
import dev.gymrpc.agents.aug.Grade;
import dev.gymrpc.agents.aug.GradientPipeline;
import dev.gymrpc.agents.aug.Temperature;
import dev.gymrpc.agents.buffer.ReplayBuffer;
import dev.gymrpc.agents.diag.GradientQuality;
import dev.gymrpc.agents.io.StateBag;
import dev.gymrpc.agents.nn.AdamOptimizer;
import dev.gymrpc.agents.nn.FastForward;
import dev.gymrpc.agents.nn.Mlp;
import dev.gymrpc.agents.nn.ParamBlock;
import dev.gymrpc.agents.nn.Polyak;
import dev.gymrpc.agents.util.Rng;
import java.util.Map;

/**
 * What Discrete SAC and continuous SAC share around their losses: the actor, twin critics in one flat
 * block with Polyak-averaged targets, their Adam optimizers and gradient pipelines (Grokfast, GrAdE,
 * clipping), the learned temperature, the update counter, the accessors, the checkpoint state (under a
 * per-algorithm key prefix) and the steps every update ends with. The losses themselves stay in the
 * subclasses. Not thread-safe.
 */
public abstract class SoftActorCritic {

    private final OffPolicyConfig cfg;
    /** Checkpoint key prefix ({@code "sac"}, {@code "csac"}). */
    private final String prefix;
    private final int obsDim;
    private final int batchActDim;
    protected final Mlp actor;
    protected final Mlp q1;
    protected final Mlp q2;
    protected final Mlp q1Target;
    protected final Mlp q2Target;
    /** Both online critics in one flat block: one Adam step and one gradient pipeline for the pair (as CleanRL). */
    protected final ParamBlock critics;
    protected final ParamBlock targets;
    protected final AdamOptimizer actorOpt;
    protected final AdamOptimizer criticOpt;
    protected final Temperature temperature;
    protected final GradientPipeline actorPipe;
    protected final GradientPipeline criticPipe;
    protected final Grade grade;
    protected final FastForward actorFast;
    protected final double targetEntropy;
    protected long updates;
    /** The minibatch {@link #update(ReplayBuffer, Rng, GradientQuality)} samples into. */
    protected final ReplayBuffer.Batch batch;
    private ReplayBuffer.Batch probeBatch;

    /**
     * Builds the networks from {@code rng} in a fixed order (actor, Q1, Q2, then the targets, which start
     * as copies of the critics), the optimizers, temperature and pipelines. {@code batchActDim} is the
     * width of a batch's action row (1 for a discrete action).
     */
    protected SoftActorCritic(OffPolicyConfig cfg, String prefix, int[] actorSizes, int[] criticSizes, double targetEntropy,
                              int obsDim, int batchActDim, Rng rng) {
        this.cfg = cfg;
        this.prefix = prefix;
        this.obsDim = obsDim;
        this.batchActDim = batchActDim;
        actor = new Mlp(actorSizes, cfg.init(), rng);
        critics = new ParamBlock(2 * Mlp.paramCount(criticSizes));
        q1 = new Mlp(criticSizes, cfg.init(), rng, critics);
        q2 = new Mlp(criticSizes, cfg.init(), rng, critics);
        targets = new ParamBlock(2 * Mlp.paramCount(criticSizes));
        q1Target = new Mlp(criticSizes, cfg.init(), rng, targets);
        q2Target = new Mlp(criticSizes, cfg.init(), rng, targets);
        targets.setAllParams(critics.paramsCopy());
        Augmentations aug = cfg.augmentations();
        actorOpt = new AdamOptimizer(actor.block(), cfg.actorLr(), aug.weightDecay());
        criticOpt = new AdamOptimizer(critics, cfg.criticLr(), aug.weightDecay());
        temperature = new Temperature(cfg.initialAlpha(), cfg.alphaLr());
        grade = aug.grade() ? new Grade(aug.gradeBeta()) : null;
        actorPipe = new GradientPipeline(actor.block(), "actor", aug, grade);
        criticPipe = new GradientPipeline(critics, "critic", aug, null);
        actorFast = new FastForward(actor);
        this.targetEntropy = targetEntropy;
        batch = new ReplayBuffer.Batch(cfg.batchSize(), obsDim, batchActDim);
    }

    public Mlp actor() {
        return actor;
    }

    /** The actor's gradient pipeline (to observe gradients in tests and diagnostics). */
    public GradientPipeline actorPipeline() {
        return actorPipe;
    }

    /** Both critics' gradient pipeline. */
    public GradientPipeline criticPipeline() {
        return criticPipe;
    }

    public double alpha() {
        return temperature.alpha();
    }

    public double targetEntropy() {
        return targetEntropy;
    }

    public long updates() {
        return updates;
    }

    /** Whether the actor's parameters are all finite (checked after each update, on the fast copy). */
    public boolean actorFinite() {
        return actorFast.allFinite();
    }

    /**
     * Samples a batch from {@code buffer} with {@code rng} and performs one full update; {@code rng} also draws
     * any policy noise (continuous SAC). Returns metrics in a stable order.
     */
    public Map<String, Double> update(ReplayBuffer buffer, Rng rng) {
        return update(buffer, rng, null);
    }

    /**
     * As {@link #update(ReplayBuffer, Rng)}, measuring gradient quality first if {@code gq} is not null:
     * the critics' at the parameters of the critic step, the actor's after the critic step (the parameters
     * and critics the actor step uses), each on minibatches drawn from {@code buffer} with {@code gq}'s
     * own generator (and policy noise from it). The update itself is the same with or without it.
     */
    public Map<String, Double> update(ReplayBuffer buffer, Rng rng, GradientQuality gq) {
        buffer.sample(rng, batch);
        return update(batch, rng, gq, buffer);
    }

    /**
     * One full update on {@code b} (critics, actor, temperature, targets); {@code rng} draws any policy
     * noise; with {@code gq}, probes draw fresh batches from {@code source}.
     */
    protected abstract Map<String, Double> update(ReplayBuffer.Batch b, Rng rng, GradientQuality gq, ReplayBuffer source);

    /** GrAdE's (lagged) ratio r, 0 without GrAdE. */
    protected double gradeRatio() {
        return grade == null ? 0 : grade.ratio();
    }

    /** Runs the critics' gradient (already in their block) through their pipeline and takes the Adam step. */
    protected void stepCritics(Map<String, Double> m) {
        criticPipe.process(m);
        criticOpt.step();
    }

    /** Runs the actor's gradient through its pipeline, takes the Adam step and refreshes the fast copy. */
    protected void stepActor(Map<String, Double> m) {
        actorPipe.process(m);
        actorOpt.step();
        actorFast.refresh(actor);
    }

    /**
     * The end of every update: GrAdE's metrics, the temperature step on {@code alphaLoss} (whose value is
     * its gradient with respect to log alpha), the temperature metrics, Polyak averaging of the targets.
     */
    protected Map<String, Double> finishUpdate(Map<String, Double> m, double alpha, double r, double alphaLoss) {
        if (grade != null) {
            m.put("grade/ratio", r);
            m.put("grade/bonus_coef", alpha * r);
        }
        if (cfg.learnAlpha()) {
            temperature.step(alphaLoss);
        }
        m.put("losses/alpha", temperature.alpha());
        m.put("losses/alpha_loss", alphaLoss);
        Polyak.update(targets, critics, cfg.tau());
        updates++;
        return m;
    }

    /** A second minibatch for the gradient-quality probes, made on first use. */
    protected ReplayBuffer.Batch probeBatch() {
        if (probeBatch == null) {
            probeBatch = new ReplayBuffer.Batch(cfg.batchSize(), obsDim, batchActDim);
        }
        return probeBatch;
    }

    /** Adds networks, optimizers, temperature, augmentation state and counters to a checkpoint. */
    public void save(StateBag bag) {
        bag.putArray(prefix + ".actor", actor.block().paramsCopy());
        bag.putArray(prefix + ".critics", critics.paramsCopy());
        bag.putArray(prefix + ".targets", targets.paramsCopy());
        actorOpt.save(bag, prefix + ".actor");
        criticOpt.save(bag, prefix + ".critic");
        actorPipe.save(bag, prefix + ".actor");
        criticPipe.save(bag, prefix + ".critic");
        if (grade != null) {
            grade.save(bag, prefix + ".grade");
        }
        temperature.save(bag, prefix);
        bag.put(prefix + ".updates", updates);
    }

    public void restore(StateBag bag) {
        actor.block().setAllParams(bag.array(prefix + ".actor"));
        critics.setAllParams(bag.array(prefix + ".critics"));
        targets.setAllParams(bag.array(prefix + ".targets"));
        actorOpt.restore(bag, prefix + ".actor");
        criticOpt.restore(bag, prefix + ".critic");
        actorPipe.restore(bag, prefix + ".actor");
        criticPipe.restore(bag, prefix + ".critic");
        if (grade != null) {
            grade.restore(bag, prefix + ".grade");
        }
        temperature.restore(bag, prefix);
        updates = bag.getLong(prefix + ".updates");
        actorFast.refresh(actor);
    }
}
