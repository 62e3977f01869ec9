package dev.gymrpc.agents.csac;

import dev.gymrpc.agents.ActionHead;
import dev.gymrpc.agents.RunContext;
import dev.gymrpc.agents.offpolicy.OffPolicyRunner;
import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Env;

/**
 * The off-policy loop ({@link OffPolicyRunner}) around {@link ContinuousSac}: act uniformly at random in
 * the Box for the first {@code learningStarts} steps (as CleanRL and Stable-Baselines3 do), store
 * {@code (s, a, r, s', terminated)}, and every {@code trainFreq} env steps run {@code gradientSteps}
 * updates. With {@code annealLr} the learning rates fall linearly to 0 over the step budget
 * (Stable-Baselines3's progress_remaining).
 */
public final class ContinuousSacRunner extends OffPolicyRunner<ContinuousSac> {

    private final ContinuousSacConfig cfg;

    public ContinuousSacRunner(ContinuousSacConfig cfg, RunContext ctx) {
        super(cfg, ctx, probe(ctx, ContinuousSacRunner::boundedBox), (shape, rng) -> new ContinuousSac(cfg, shape.obsDim(), shape.head(), rng));
        this.cfg = cfg;
    }

    private static ActionHead boundedBox(Env<?> probe) {
        if (!(probe.actionSpace() instanceof Box box) || !box.isBounded()) {
            throw new IllegalArgumentException("continuous SAC needs a bounded Box action space; " + probe.spec().id()
                    + " has " + probe.actionSpace());
        }
        return ActionHead.squashedGaussian(box);
    }

    @Override
    protected Object act(float[] obs, boolean random, float[] stored) {
        if (random) {
            for (int j = 0; j < stored.length; j++) {
                float lo = head.low()[j];
                float hi = head.high()[j];
                stored[j] = Math.min(hi, (float) (lo + actRng.nextDouble() * ((double) hi - lo)));
            }
        } else {
            agent.act(obs, false, actRng, stored);
        }
        return stored.clone();
    }

    @Override
    protected void beforeUpdates(long step) {
        long budgetSteps = ctx.request().budget().steps();
        if (cfg.annealLr() && budgetSteps > 0) {
            agent.setLearningRateFraction(Math.max(0, 1.0 - (double) step / budgetSteps));
        }
    }
}
