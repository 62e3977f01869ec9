package dev.gymrpc.agents.ppo;

/**
 * A change to the learning signal of a PPO variant that keeps {@link PpoRunner}'s rollout loop and
 * {@link Ppo#update} as they are: it sees each step's reward with the entropy of the behaviour policy at
 * that step, and each rollout's advantages with the behaviour policy's log-probabilities. Plain PPO has
 * none ({@code null}), and then its arithmetic is exactly as without this interface.
 *
 * <p>Used by soft PPO (package {@code softppo}) for the entropy reward inside the return and the soft
 * advantage.
 */
public interface RolloutHook {

    /**
     * The reward the returns and the critic's targets use for one step, given the env's reward and the
     * entropy {@code H(pi_old(.|s_t))} of the policy that chose the action (in nats). Episode statistics
     * keep the env's reward. Called before a truncated step's bootstrap {@code gamma V(final_obs)} is added.
     */
    double reward(double envReward, double entropy);

    /**
     * Adjusts {@code advantages[0, n)} in place once they are estimated and before any standardisation;
     * {@code logp[i]} is {@code log pi_old(a_i|s_i)} of the sample's action. {@code unitsPerReward}
     * converts a quantity in reward units to the advantages' units: 1, except in the episodic
     * Monte-Carlo mode, whose returns are standardised per episode, where it is {@code 1 / (std(G) + 1e-10)}.
     */
    void advantages(float[] advantages, float[] logp, int n, double unitsPerReward);
}
