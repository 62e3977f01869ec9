package dev.gymrpc.agents.offpolicy;

import dev.gymrpc.agents.ActionHead;
import dev.gymrpc.agents.CheckpointOptions;
import dev.gymrpc.agents.Policy;
import dev.gymrpc.agents.RunContext;
import dev.gymrpc.agents.Runner;
import dev.gymrpc.agents.buffer.ReplayBuffer;
import dev.gymrpc.agents.diag.GradientQuality;
import dev.gymrpc.agents.io.StateBag;
import dev.gymrpc.agents.util.Rng;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.Step;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The off-policy loop both SACs run: act (uniformly at random for the first {@code learningStarts}
 * steps, then from the policy), store {@code (s, a, r, s', terminated)} in a {@link ReplayBuffer}, and
 * every {@code trainFreq} env steps run {@code gradientSteps} updates; episode accounting, generators and
 * checkpointing of the replay buffer. A subclass says how to act ({@link #act}), and may change the
 * stored reward ({@link #storedReward}) and prepare each update phase ({@link #beforeUpdates}).
 */
public abstract class OffPolicyRunner<A extends SoftActorCritic> implements Runner {

    /** What the runner needs to know about the env: its action head and flat observation size. */
    protected record EnvShape(ActionHead head, int obsDim) {
    }

    private final OffPolicyConfig cfg;
    protected final RunContext ctx;
    protected final A agent;
    protected final ActionHead head;
    private final ReplayBuffer buffer;
    /** Draws the random actions and the policy's samples. */
    protected Rng actRng;
    private Rng sampleRng;

    /**
     * Splits the request's seed into the agent's generator, then the acting and sampling generators, and
     * makes the replay buffer: one action column for a categorical head, |A| floats for a continuous one.
     */
    protected OffPolicyRunner(OffPolicyConfig cfg, RunContext ctx, EnvShape shape, BiFunction<EnvShape, Rng, A> newAgent) {
        this.cfg = cfg;
        this.ctx = ctx;
        this.head = shape.head();
        Rng master = new Rng(ctx.request().seed());
        this.agent = newAgent.apply(shape, master.split());
        this.actRng = master.split();
        this.sampleRng = master.split();
        this.buffer = head.kind() == ActionHead.Kind.CATEGORICAL ? new ReplayBuffer(cfg.bufferSize(), shape.obsDim())
                : new ReplayBuffer(cfg.bufferSize(), shape.obsDim(), head.n());
    }

    /** Opens a probe env of {@code ctx}; {@code headOf} checks its action space (throwing if unsuitable). */
    protected static EnvShape probe(RunContext ctx, Function<Env<?>, ActionHead> headOf) {
        try (Env<?> probe = ctx.makeEnv()) {
            ActionHead head = headOf.apply(probe);
            return new EnvShape(head, probe.observationSpace().flatSize());
        }
    }

    /**
     * Chooses the action for {@code obs}, uniformly at random if {@code random}, else from the policy (both
     * with {@link #actRng}); writes the row to store into {@code stored} and returns the env action.
     */
    protected abstract Object act(float[] obs, boolean random, float[] stored);

    /** The reward as stored in the replay buffer. */
    protected float storedReward(double reward) {
        return (float) reward;
    }

    /** Called before each phase of updates, after env step {@code step}. */
    protected void beforeUpdates(long step) {
    }

    public A agent() {
        return agent;
    }

    @Override
    public Policy policy() {
        return Policy.ofActor(cfg, ctx.request(), head, agent.actor());
    }

    @Override
    public void save(StateBag bag, CheckpointOptions options) {
        bag.put("rng.act", actRng.state()).put("rng.sample", sampleRng.state());
        agent.save(bag);
        if (options.includesReplay(cfg.bufferSize())) {
            buffer.save(bag, "replay");
        }
    }

    /** Restores agent, generators and (if saved) the replay buffer; counters are restored by the caller's context. */
    @Override
    public void restore(StateBag bag) {
        agent.restore(bag);
        actRng = Rng.fromState(bag.getLong("rng.act"));
        sampleRng = Rng.fromState(bag.getLong("rng.sample"));
        buffer.restore(bag, "replay");
    }

    /** Trains until the budget is spent or the run is cancelled. */
    @Override
    public Policy run() {
        try (Env<?> env = ctx.makeEnv()) {
            return run(env);
        }
    }

    private Policy run(Env<?> env) {
        float[] a = new float[buffer.actDim()];
        Reset reset = env.reset(ctx.firstResetSeed(), Map.of());
        float[] obs = reset.observation();
        double ret = 0;
        double disc = 0;
        double g = 1;
        int len = 0;
        long step = ctx.envSteps();
        while (!ctx.done()) {
            Step s = env.stepObject(act(obs, step < cfg.learningStarts(), a));
            ctx.addSteps(1);
            step++;
            ret += s.reward();
            disc += g * s.reward();
            g *= cfg.gamma();
            len++;
            buffer.add(obs, a, storedReward(s.reward()), s.observation(), s.terminated());
            obs = s.observation();
            if (s.terminated() || s.truncated()) {
                ctx.episodeEnded(ret, len, disc, s.terminated());
                obs = env.reset(null, Map.of()).observation();
                ret = 0;
                disc = 0;
                g = 1;
                len = 0;
            }
            if (step > cfg.learningStarts() && step % cfg.trainFreq() == 0) {
                beforeUpdates(step);
                for (int k = 0; k < cfg.gradientSteps(); k++) {
                    GradientQuality gq = ctx.gradientQualityDue();
                    Map<String, Double> m = agent.update(buffer, sampleRng, gq);
                    if (gq != null) {
                        gq.report(m);
                    }
                    ctx.updated(m, agent.actorFinite());
                }
            }
        }
        return policy();
    }
}
