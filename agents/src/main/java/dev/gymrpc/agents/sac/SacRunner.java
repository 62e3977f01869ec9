package dev.gymrpc.agents.sac;

import dev.gymrpc.agents.ActionHead;
import dev.gymrpc.agents.RunContext;
import dev.gymrpc.agents.offpolicy.OffPolicyRunner;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.Env;

/**
 * The off-policy loop ({@link OffPolicyRunner}) around {@link DiscreteSac}: act uniformly at random for the
 * first {@code learningStarts} steps, store {@code (s, a, clip(r), s', terminated)} with the rewards
 * clipped below at {@code rewardClipLow}, and every {@code trainFreq} env steps run {@code gradientSteps}
 * updates.
 */
public final class SacRunner extends OffPolicyRunner<DiscreteSac> {

    private final SacConfig cfg;

    public SacRunner(SacConfig cfg, RunContext ctx) {
        super(cfg, ctx, probe(ctx, SacRunner::categorical), (shape, rng) -> new DiscreteSac(cfg, shape.obsDim(), shape.head().n(), rng));
        this.cfg = cfg;
    }

    private static ActionHead categorical(Env<?> probe) {
        if (!(probe.actionSpace() instanceof Discrete d)) {
            throw new IllegalArgumentException("Discrete SAC needs a Discrete action space; " + probe.spec().id()
                    + " has " + probe.actionSpace());
        }
        return ActionHead.categorical(d);
    }

    @Override
    protected Object act(float[] obs, boolean random, float[] stored) {
        int a = random ? actRng.nextInt(head.n()) : agent.act(obs, false, actRng);
        stored[0] = a;
        return head.start() + a;
    }

    @Override
    protected float storedReward(double reward) {
        return (float) Math.max(reward, cfg.rewardClipLow());
    }
}
