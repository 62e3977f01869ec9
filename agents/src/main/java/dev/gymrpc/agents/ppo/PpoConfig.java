package dev.gymrpc.agents.ppo;

import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Augmentations;
import dev.gymrpc.agents.nn.Mlp;
import dev.gymrpc.agents.config.Param;
import java.util.List;
import java.util.Locale;

/**
 * PPO-Clip hyperparameters (Schulman et al. 2017). Separate actor and critic MLPs with their own Adam.
 * Presets: {@link #paper()} (the main paper's LunarLander setup), {@link #lunarLanderTuned()} (RL-Zoo's
 * tuned LunarLander), {@link #cartPole()} (RL-Zoo's CartPole); defaults live only there.
 *
 * @param hidden              hidden widths of actor and critic
 * @param init                weight initialisation
 * @param actorLr             Adam learning rate of the actor, > 0
 * @param criticLr            Adam learning rate of the critic, > 0
 * @param gamma               discount factor, in [0, 1]
 * @param advantage           {@code MC}: per-episode Monte-Carlo returns, standardised, A = G_std - V
 *                            (paper); {@code GAE}: generalised advantage estimation
 * @param gaeLambda           GAE lambda, in [0, 1] (used by {@code GAE})
 * @param numEnvs             parallel envs, >= 1 (must be 1 with {@code rolloutSteps = 0})
 * @param rolloutSteps        steps per env per update; 0 = one full episode per update (paper)
 * @param epochs              passes over each rollout, >= 1
 * @param minibatchSize       samples per gradient step; 0 = the whole rollout (paper)
 * @param shuffle             shuffle samples between epochs (paper: no)
 * @param clipEps             clip range epsilon of the ratio, in (0, 1)
 * @param entCoef             entropy bonus coefficient, >= 0 (replaced by kappa * r when GrAdE is on)
 * @param vfCoef              scale of the critic's MSE loss, > 0
 * @param targetKl            stop the epochs early when approx KL exceeds this; 0 = off
 * @param normalizeAdvantages standardise advantages (per minibatch; per episode in MC mode)
 * @param annealLr            decay both learning rates linearly to 0 over a step budget (CleanRL's anneal_lr,
 *                            RL-Zoo's lin_ schedules); no effect with an episode-only budget
 * @param augmentations       Grokfast / GrAdE / clipping / weight decay
 */
public record PpoConfig(
        @Param(name = "hidden_sizes", doc = "hidden layer widths of the actor and the critic", min = 1) List<Integer> hidden,
        @Param(doc = "weight initialisation") Mlp.Init init,
        @Param(doc = "Adam learning rate of the actor", min = 0, minExclusive = true) double actorLr,
        @Param(doc = "Adam learning rate of the critic", min = 0, minExclusive = true) double criticLr,
        @Param(doc = "discount factor gamma", min = 0, max = 1) double gamma,
        @Param(doc = "advantage estimator: mc (standardised Monte-Carlo returns minus V, the paper) or gae") Advantage advantage,
        @Param(doc = "GAE lambda", min = 0, max = 1) double gaeLambda,
        @Param(doc = "parallel envs of a fixed-length rollout (1 when rollout_steps = 0)", min = 1) int numEnvs,
        @Param(doc = "steps per env per rollout; 0 = one whole episode per update (the paper)", min = 0) int rolloutSteps,
        @Param(doc = "epochs over each rollout", min = 1) int epochs,
        @Param(doc = "minibatch size; 0 = the whole rollout", min = 0) int minibatchSize,
        @Param(doc = "shuffle samples between epochs") boolean shuffle,
        @Param(doc = "PPO clip range epsilon", min = 0, minExclusive = true, max = 1, maxExclusive = true) double clipEps,
        @Param(doc = "entropy bonus coefficient", min = 0) double entCoef,
        @Param(doc = "value loss coefficient", min = 0, minExclusive = true) double vfCoef,
        @Param(doc = "stop an update's epochs when approx KL exceeds this; 0 = off", min = 0) double targetKl,
        @Param(doc = "standardise advantages per minibatch") boolean normalizeAdvantages,
        @Param(doc = "anneal learning rates linearly to 0 over a step budget") boolean annealLr,
        Augmentations augmentations) implements AlgoConfig {

    /** Advantage estimators. */
    public enum Advantage { MC, GAE }

    public PpoConfig {
        hidden = List.copyOf(hidden);
        if (init == null || advantage == null) {
            throw new IllegalArgumentException("init (" + List.of(Mlp.Init.values()) + ") and advantage ("
                    + List.of(Advantage.values()) + ") are required");
        }
        if (rolloutSteps == 0 && numEnvs != 1) {
            throw new IllegalArgumentException("num_envs must be 1 when rollout_steps = 0 (one episode per update), got " + numEnvs);
        }
        if (augmentations == null) {
            augmentations = Augmentations.NONE;
        }
    }

    @Override
    public String algorithm() {
        return "ppo";
    }

    /** The samples of one update: {@code numEnvs * rolloutSteps} (episode length in episode mode). */
    public boolean episodic() {
        return rolloutSteps == 0;
    }

    /**
     * The paper's LunarLander setup (Nilabh and Sinha Choudhury; the authors' code): [128,128] ReLU, Xavier normal, actor 5e-4,
     * critic 1e-3, MC returns standardised, one episode per update, 5 full-batch epochs without
     * shuffling, clip 0.2, entropy 0.01. GrAdE variants use {@code withAugmentations(NONE.withGrade(0.02, 0.9))}.
     */
    public static PpoConfig paper() {
        return new PpoConfig(List.of(128, 128), Mlp.Init.XAVIER_NORMAL, 5e-4, 1e-3, 0.99, Advantage.MC, 1.0, 1, 0, 5,
                0, false, 0.2, 0.01, 1.0, 0, true, false, Augmentations.NONE);
    }

    /**
     * RL-Zoo's tuned LunarLander PPO (about 240 at 1M steps): 16 envs x 1024 steps, minibatch 64,
     * gamma 0.999, GAE 0.98, 4 epochs, entropy 0.01, Adam 3e-4, value coef 0.5, grad clip 0.5 (SB3 default).
     */
    public static PpoConfig lunarLanderTuned() {
        return new PpoConfig(List.of(64, 64), Mlp.Init.XAVIER_NORMAL, 3e-4, 3e-4, 0.999, Advantage.GAE, 0.98, 16, 1024,
                4, 64, true, 0.2, 0.01, 0.5, 0, true, false, Augmentations.NONE.withGradClip(0.5));
    }

    /**
     * RL-Zoo's CartPole-v1 PPO: 8 envs x 32 steps, full batch 256, 20 epochs, gamma 0.98, GAE 0.8, lr 1e-3
     * annealed linearly (RL-Zoo: lin_0.001), no entropy bonus.
     */
    public static PpoConfig cartPole() {
        return new PpoConfig(List.of(64, 64), Mlp.Init.XAVIER_NORMAL, 1e-3, 1e-3, 0.98, Advantage.GAE, 0.8, 8, 32, 20,
                256, true, 0.2, 0.0, 0.5, 0, true, true, Augmentations.NONE.withGradClip(0.5));
    }

    /** Named presets: {@code paper}, {@code lunarlander-tuned}, {@code cartpole}. */
    public static PpoConfig preset(String name) {
        return (PpoConfig) new PpoAlgorithm().preset(name);
    }

    public PpoConfig withAugmentations(Augmentations a) {
        return new PpoConfig(hidden, init, actorLr, criticLr, gamma, advantage, gaeLambda, numEnvs, rolloutSteps, epochs,
                minibatchSize, shuffle, clipEps, entCoef, vfCoef, targetKl, normalizeAdvantages, annealLr, a);
    }

    public PpoConfig withRollout(int envs, int steps, int minibatch, int nEpochs) {
        return new PpoConfig(hidden, init, actorLr, criticLr, gamma, advantage, gaeLambda, envs, steps, nEpochs,
                minibatch, shuffle, clipEps, entCoef, vfCoef, targetKl, normalizeAdvantages, annealLr, augmentations);
    }

    public PpoConfig withTargetKl(double kl) {
        return new PpoConfig(hidden, init, actorLr, criticLr, gamma, advantage, gaeLambda, numEnvs, rolloutSteps, epochs,
                minibatchSize, shuffle, clipEps, entCoef, vfCoef, kl, normalizeAdvantages, annealLr, augmentations);
    }

    public PpoConfig withAnnealLr(boolean on) {
        return new PpoConfig(hidden, init, actorLr, criticLr, gamma, advantage, gaeLambda, numEnvs, rolloutSteps, epochs,
                minibatchSize, shuffle, clipEps, entCoef, vfCoef, targetKl, normalizeAdvantages, on, augmentations);
    }

    public PpoConfig withEntCoef(double c) {
        return new PpoConfig(hidden, init, actorLr, criticLr, gamma, advantage, gaeLambda, numEnvs, rolloutSteps, epochs,
                minibatchSize, shuffle, clipEps, c, vfCoef, targetKl, normalizeAdvantages, annealLr, augmentations);
    }
}
