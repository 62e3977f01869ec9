package dev.gymrpc.agents.sac;

import dev.gymrpc.agents.Policy;
import dev.gymrpc.agents.RunContext;
import dev.gymrpc.agents.TrainRequest;
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
public final class SacRunner {

    private final SacConfig cfg;
    private final Env<?> env;
    private final RunContext ctx;
    private final DiscreteSac agent;
    private final ReplayBuffer buffer;
    private Rng actRng;
    private Rng sampleRng;
    private final int nActions;

    public SacRunner(SacConfig cfg, Env<?> env, RunContext ctx) {
        this.cfg = cfg;
        this.env = env;
        this.ctx = ctx;
        if (!(env.actionSpace() instanceof Discrete d)) {
            throw new IllegalArgumentException("Discrete SAC needs a Discrete action space; " + env.spec().id()
                    + " has " + env.actionSpace());
        }
        this.nActions = d.n();
        int obsDim = env.observationSpace().flatSize();
        Rng master = new Rng(ctx.request().seed());
        this.agent = new DiscreteSac(cfg, obsDim, nActions, master.split());
        this.actRng = master.split();
        this.sampleRng = master.split();
        this.buffer = new ReplayBuffer(cfg.bufferSize(), obsDim);
        ctx.setPolicySource(this::policy);
    }

    public DiscreteSac agent() {
        return agent;
    }

    /** The current actor as a {@link Policy}. */
    public Policy policy() {
        return Policy.ofActor(cfg, ctx.request(), agent.actor());
    }

    /** Writes a checkpoint of the whole run (optionally with the replay buffer). */
    public void saveCheckpoint(java.nio.file.Path file, boolean withReplay) {
        dev.gymrpc.agents.io.StateBag bag = new dev.gymrpc.agents.io.StateBag();
        ctx.save(bag);
        bag.put("rng.act", actRng.state()).put("rng.sample", sampleRng.state());
        agent.save(bag);
        if (withReplay) {
            buffer.save(bag, "replay");
        }
        try {
            bag.write(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write checkpoint " + file, e);
        }
    }

    /** Restores agent, generators and (if saved) the replay buffer; counters are restored by the caller's context. */
    public void restore(dev.gymrpc.agents.io.StateBag bag) {
        agent.restore(bag);
        actRng = Rng.fromState(bag.getLong("rng.act"));
        sampleRng = Rng.fromState(bag.getLong("rng.sample"));
        buffer.restore(bag, "replay");
    }

    /** Trains until the budget is spent or the run is cancelled. */
    public Policy run() {
        int start = ((Discrete) env.actionSpace()).start();
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
                    Map<String, Double> m = agent.update(buffer, sampleRng);
                    ctx.updated(m, agent.actorFinite());
                }
            }
        }
        return policy();
    }
}
