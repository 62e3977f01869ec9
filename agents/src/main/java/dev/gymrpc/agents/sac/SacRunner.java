package dev.gymrpc.agents.sac;

import dev.gymrpc.agents.ActionHead;
import dev.gymrpc.agents.CheckpointOptions;
import dev.gymrpc.agents.Policy;
import dev.gymrpc.agents.Runner;
import dev.gymrpc.agents.io.StateBag;
import dev.gymrpc.agents.RunContext;
import dev.gymrpc.agents.buffer.ReplayBuffer;
import dev.gymrpc.agents.util.Rng;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.Step;
import java.util.Map;

/**
 * The off-policy loop around {@link DiscreteSac}: act (uniformly at random for the first
 * {@code learningStarts} steps), store {@code (s, a, clip(r), s', terminated)}, and every
 * {@code trainFreq} env steps run {@code gradientSteps} updates.
 */
public final class SacRunner implements Runner {

    private final SacConfig cfg;
    private final RunContext ctx;
    private final DiscreteSac agent;
    private final ReplayBuffer buffer;
    private final ActionHead head;
    private Rng actRng;
    private Rng sampleRng;
    private final int nActions;

    public SacRunner(SacConfig cfg, RunContext ctx) {
        this.cfg = cfg;
        this.ctx = ctx;
        int obsDim;
        try (Env<?> probe = ctx.makeEnv()) {
            if (!(probe.actionSpace() instanceof Discrete d)) {
                throw new IllegalArgumentException("Discrete SAC needs a Discrete action space; " + probe.spec().id()
                        + " has " + probe.actionSpace());
            }
            this.head = ActionHead.categorical(d);
            obsDim = probe.observationSpace().flatSize();
        }
        this.nActions = head.n();
        Rng master = new Rng(ctx.request().seed());
        this.agent = new DiscreteSac(cfg, obsDim, nActions, master.split());
        this.actRng = master.split();
        this.sampleRng = master.split();
        this.buffer = new ReplayBuffer(cfg.bufferSize(), obsDim);
    }

    public DiscreteSac agent() {
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
        int start = head.start();
        Reset reset = env.reset(ctx.firstResetSeed(), Map.of());
        float[] obs = reset.observation();
        double ret = 0;
        double disc = 0;
        double g = 1;
        int len = 0;
        long step = ctx.envSteps();
        while (!ctx.done()) {
            int a = step < cfg.learningStarts() ? actRng.nextInt(nActions) : agent.act(obs, false, actRng);
            Step s = env.stepObject(start + a);
            ctx.addSteps(1);
            step++;
            ret += s.reward();
            disc += g * s.reward();
            g *= cfg.gamma();
            len++;
            float r = (float) Math.max(s.reward(), cfg.rewardClipLow());
            buffer.add(obs, a, r, s.observation(), s.terminated());
            obs = s.observation();
            if (s.terminated() || s.truncated()) {
                ctx.episodeEnded(ret, len, disc, s.terminated());
                obs = env.reset(null, Map.of()).observation();
                ret = 0;
                disc = 0;
                g = 1;
                len = 0;
            }
            if (step > cfg.learningStarts() && step % cfg.trainFreq() == 0 && buffer.size() > 0) {
                for (int k = 0; k < cfg.gradientSteps(); k++) {
                    dev.gymrpc.agents.diag.GradientQuality gq = ctx.gradientQualityDue();
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
