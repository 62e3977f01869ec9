package dev.gymrpc.agents.softppo;

import dev.gymrpc.agents.ppo.RolloutHook;

/**
 * The soft terms of SPPO (Liu, Gu and Liu, "Policy Optimization Reinforcement Learning with Entropy
 * Regularization", 2020, section 3.2) as a {@link RolloutHook} on PPO's rollouts.
 *
 * <ul>
 *   <li>Soft reward (eq. 35): {@code r = r_ext + alpha H(pi(.|s_t))}, with the entropy of the policy that
 *       acted. The returns, the critic's targets (eq. 33) and the advantage estimate built from them
 *       (eq. 34 for Monte-Carlo, eqs. 36-37 for GAE) are then the entropy-regularised ones of eq. 3.</li>
 *   <li>Soft advantage (eq. 41, optional): {@code A = A_hat - alpha log pi_old(a_t|s_t)}, the sampled form
 *       of the soft policy gradient theorem's {@code q - alpha log pi} (eq. 20), which replaces the
 *       separate entropy bonus of eq. 38 in the clipped surrogate (eq. 40). Added in reward units before
 *       PPO standardises advantages, so its weight against the returns is what alpha says.</li>
 * </ul>
 */
final class SoftTerms implements RolloutHook {

    private final double alpha;
    private final boolean softAdvantage;

    SoftTerms(double alpha, boolean softAdvantage) {
        this.alpha = alpha;
        this.softAdvantage = softAdvantage;
    }

    @Override
    public double reward(double envReward, double entropy) {
        return envReward + alpha * entropy;
    }

    @Override
    public void advantages(float[] advantages, float[] logp, int n, double unitsPerReward) {
        if (!softAdvantage) {
            return;
        }
        double c = alpha * unitsPerReward;
        for (int i = 0; i < n; i++) {
            advantages[i] = (float) (advantages[i] - c * logp[i]);
        }
    }
}
