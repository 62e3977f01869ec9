package dev.gymrpc.agents.csac;

import dev.gymrpc.agents.ActionHead;
import dev.gymrpc.agents.CheckpointOptions;
import dev.gymrpc.agents.Policy;
import dev.gymrpc.agents.RunContext;
import dev.gymrpc.agents.Runner;
import dev.gymrpc.agents.buffer.ReplayBuffer;
import dev.gymrpc.agents.io.StateBag;
import dev.gymrpc.agents.util.Rng;
import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.Step;
import java.util.Map;

/**
 * The off-policy loop around {@link ContinuousSac}: act (uniformly at random in the Box for the first
 * {@code learningStarts} steps, as CleanRL and Stable-Baselines3 do), store {@code (s, a, r, s',
 * terminated)}, and every {@code trainFreq} env steps run {@code gradientSteps} updates. With
 * {@code annealLr} the learning rates fall linearly to 0 over the step budget (Stable-Baselines3's
 * progress_remaining).
 */
public final class ContinuousSacRunner implements Runner {

    private final ContinuousSacConfig cfg;
    private final RunContext ctx;
    private final ContinuousSac agent;
    private final ReplayBuffer buffer;
    private final ActionHead head;
    private Rng actRng;
    private Rng sampleRng;

    public ContinuousSacRunner(ContinuousSacConfig cfg, RunContext ctx) {
        this.cfg = cfg;
        this.ctx = ctx;
        int obsDim;
        try (Env<?> probe = ctx.makeEnv()) {
            if (!(probe.actionSpace() instanceof Box box) || !box.isBounded()) {
                throw new IllegalArgumentException("continuous SAC needs a bounded Box action space; " + probe.spec().id()
                        + " has " + probe.actionSpace());
            }
            this.head = ActionHead.squashedGaussian(box);
            obsDim = probe.observationSpace().flatSize();
        }
        Rng master = new Rng(ctx.request().seed());
        this.agent = new ContinuousSac(cfg, obsDim, head, master.split());
        this.actRng = master.split();
        this.sampleRng = master.split();
        this.buffer = new ReplayBuffer(cfg.bufferSize(), obsDim, head.n());
    }

    public ContinuousSac agent() {
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

    @Override
    public Policy run() {
        try (Env<?> env = ctx.makeEnv()) {
            return run(env);
        }
    }

    private Policy run(Env<?> env) {
        int d = head.n();
        float[] a = new float[d];
        Reset reset = env.reset(ctx.firstResetSeed(), Map.of());
        float[] obs = reset.observation();
        double ret = 0;
        double disc = 0;
        double g = 1;
        int len = 0;
        long step = ctx.envSteps();
        long budgetSteps = ctx.request().budget().steps();
        while (!ctx.done()) {
            if (step < cfg.learningStarts()) {
                for (int j = 0; j < d; j++) {
                    float lo = head.low()[j];
                    float hi = head.high()[j];
                    a[j] = Math.min(hi, (float) (lo + actRng.nextDouble() * ((double) hi - lo)));
                }
            } else {
                agent.act(obs, false, actRng, a);
            }
            Step s = env.stepObject(a.clone());
            ctx.addSteps(1);
            step++;
            ret += s.reward();
            disc += g * s.reward();
            g *= cfg.gamma();
            len++;
            buffer.add(obs, a, (float) s.reward(), s.observation(), s.terminated());
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
                if (cfg.annealLr() && budgetSteps > 0) {
                    agent.setLearningRateFraction(Math.max(0, 1.0 - (double) step / budgetSteps));
                }
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
