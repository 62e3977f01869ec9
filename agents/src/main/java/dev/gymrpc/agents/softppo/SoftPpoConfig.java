package dev.gymrpc.agents.softppo;

import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Augmentations;
import dev.gymrpc.agents.config.Param;
import dev.gymrpc.agents.ppo.PpoConfig;
import java.util.List;

/**
 * Soft PPO ("SPPO" of Liu, Gu and Liu, "Policy Optimization Reinforcement Learning with Entropy
 * Regularization", 2020): PPO-Clip whose returns contain the policy's entropy, and optionally the soft
 * advantage. Every PPO hyperparameter is the embedded {@link PpoConfig}, documented and range-checked
 * there once and listed under its own names ({@code gamma}, {@code ent_coef}, {@code augmentations.grade},
 * ...: {@link Param#inline()}); this record adds the two soft terms {@code alpha} and {@code soft_advantage}. Presets live only in
 * {@link #paper()} and {@link #cartPole()}.
 *
 * <p>Units: {@code alpha} is in reward units, as in the paper, where the temperature is "the reward
 * scale of the entropy bonus" (section 4.1). PPO's {@code ent_coef} multiplies the entropy in the
 * loss, whose advantages are standardised, so it is in other units and stays a separate field.
 *
 * @param ppo           the PPO-Clip run it modifies: networks, optimizers, rollouts, epochs, clipping, the
 *                      loss-side entropy bonus {@code ent_coef} (eq. 38's {@code alpha H} term) and
 *                      Grokfast/GrAdE
 * @param alpha         temperature: {@code alpha H(pi(.|s_t))} is added to every reward the returns and the
 *                      critic's targets use (eq. 35), >= 0
 * @param softAdvantage use the soft advantage {@code A - alpha log pi_old(a_t|s_t)} in the clipped surrogate
 *                      (eqs. 40-41); off: the advantage of the soft returns with PPO's entropy bonus (eq. 38)
 */
public record SoftPpoConfig(
        @Param(doc = "the PPO-Clip settings soft PPO runs with", inline = true) PpoConfig ppo,
        @Param(doc = "temperature alpha: alpha * H(pi(.|s)) is added to every reward in the returns (reward units)", min = 0)
        double alpha,
        @Param(doc = "soft advantage A - alpha * log pi_old(a|s) in the clipped surrogate (eq. 40-41); "
                + "off: eq. 38, PPO's entropy bonus ent_coef") boolean softAdvantage) implements AlgoConfig {

    public SoftPpoConfig {
        if (ppo == null) {
            throw new IllegalArgumentException("ppo (the PPO-Clip settings) is required");
        }
    }

    @Override
    public String algorithm() {
        return "soft-ppo";
    }

    @Override
    public List<Integer> hidden() {
        return ppo.hidden();
    }

    @Override
    public Augmentations augmentations() {
        return ppo.augmentations();
    }

    @Override
    public double gamma() {
        return ppo.gamma();
    }

    /**
     * The main paper's LunarLander PPO ({@link PpoConfig#paper()}: episodic Monte-Carlo returns, entropy
     * bonus 0.01) with the entropy reward alpha = 0.1 in the returns, and eq. 38's loss, i.e. exactly PPO's.
     * The soft policy gradient paper: "the standard policy gradient with entropy bonus and the soft policy
     * gradient reinforcement learning have the same loss function. The only difference is that SPG has the
     * entropy reward in the value function backup". alpha 0.1 adds at most 0.14 per step (ln 4 nats), less
     * than the main engine's fuel cost of 0.3 per frame; it was chosen before any run, not tuned.
     */
    public static SoftPpoConfig paper() {
        return new SoftPpoConfig(PpoConfig.paper(), 0.1, false);
    }

    /**
     * RL-Zoo's CartPole-v1 PPO ({@link PpoConfig#cartPole()}, which has no entropy bonus) with alpha = 0.1
     * in the returns and the soft advantage of eqs. 40-41 in the surrogate.
     */
    public static SoftPpoConfig cartPole() {
        return new SoftPpoConfig(PpoConfig.cartPole(), 0.1, true);
    }

    /** Named presets: {@code paper}, {@code cartpole}. */
    public static SoftPpoConfig preset(String name) {
        return (SoftPpoConfig) new SoftPpoAlgorithm().preset(name);
    }

    public SoftPpoConfig withPpo(PpoConfig p) {
        return new SoftPpoConfig(p, alpha, softAdvantage);
    }

    public SoftPpoConfig withAugmentations(Augmentations a) {
        return withPpo(ppo.withAugmentations(a));
    }

    public SoftPpoConfig withAlpha(double a) {
        return new SoftPpoConfig(ppo, a, softAdvantage);
    }

    public SoftPpoConfig withSoftAdvantage(boolean on) {
        return new SoftPpoConfig(ppo, alpha, on);
    }
}
