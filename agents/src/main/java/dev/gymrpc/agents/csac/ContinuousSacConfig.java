package dev.gymrpc.agents.csac;

import dev.gymrpc.agents.offpolicy.OffPolicyConfig;
import dev.gymrpc.agents.Augmentations;
import dev.gymrpc.agents.config.Param;
import dev.gymrpc.agents.nn.Mlp;
import java.util.List;

/**
 * Hyperparameters of SAC for continuous actions (Haarnoja et al. 2018, "Soft Actor-Critic Algorithms and
 * Applications"). Defaults live only in the presets of {@link ContinuousSacAlgorithm}:
 * {@link #cleanRl()}, {@link #lunarLanderContinuous()} and {@link #small()}.
 *
 * @param hidden               hidden widths of the actor and both critics
 * @param init                 weight initialisation
 * @param gamma                discount factor, in [0, 1]
 * @param tau                  Polyak factor of the target critics, in (0, 1]
 * @param actorLr              Adam learning rate of the actor, > 0
 * @param criticLr             Adam learning rate of the critics (one Adam over both), > 0
 * @param alphaLr              Adam learning rate of log alpha, > 0
 * @param annealLr             decay all three learning rates linearly to 0 over a step budget (RL-Zoo's {@code lin_} schedules)
 * @param initialAlpha         starting temperature alpha, > 0
 * @param learnAlpha           learn log alpha toward the target entropy (else alpha stays fixed)
 * @param targetEntropyPerDim  target entropy per action dimension: target = this * |A| (Haarnoja et al.: -1)
 * @param batchSize            minibatch size sampled from the replay buffer, >= 1
 * @param bufferSize           replay capacity in transitions, >= batchSize
 * @param learningStarts       env steps with actions uniform in the Box before the first update, >= 0
 * @param trainFreq            env steps between update phases, >= 1
 * @param gradientSteps        updates per phase, >= 1
 * @param augmentations        Grokfast / GrAdE / clipping / weight decay (GrAdE's kappa is the current alpha)
 */
public record ContinuousSacConfig(
        @Param(name = "hidden_sizes", doc = "hidden layer widths of the actor and both critics", min = 1) List<Integer> hidden,
        @Param(doc = "weight initialisation (ddpg_uniform: +-1/sqrt(fan_in), last layer +-3e-3)") Mlp.Init init,
        @Param(doc = "discount factor gamma", min = 0, max = 1) double gamma,
        @Param(doc = "Polyak factor tau of the target critics", min = 0, minExclusive = true, max = 1) double tau,
        @Param(doc = "Adam learning rate of the actor", min = 0, minExclusive = true) double actorLr,
        @Param(doc = "Adam learning rate of the critics", min = 0, minExclusive = true) double criticLr,
        @Param(doc = "Adam learning rate of log alpha", min = 0, minExclusive = true) double alphaLr,
        @Param(doc = "decay the learning rates linearly to 0 over a step budget (RL-Zoo lin_ schedule)") boolean annealLr,
        @Param(doc = "starting temperature alpha", min = 0, minExclusive = true) double initialAlpha,
        @Param(doc = "learn log alpha toward the target entropy (else alpha stays fixed)") boolean learnAlpha,
        @Param(doc = "target entropy per action dimension; target = this * |A| (Haarnoja et al. 2018: -1)", min = -10, max = 10) double targetEntropyPerDim,
        @Param(doc = "minibatch size sampled from the replay buffer", min = 1) int batchSize,
        @Param(doc = "replay capacity in transitions (>= batch_size)", min = 1) int bufferSize,
        @Param(doc = "env steps with uniformly random actions before the first update", min = 0) int learningStarts,
        @Param(doc = "env steps between update phases (1 = update every step)", min = 1) int trainFreq,
        @Param(doc = "updates per phase", min = 1) int gradientSteps,
        Augmentations augmentations) implements OffPolicyConfig {

    /** The algorithm's name on the wire and in model files. */
    public static final String NAME = "sac-continuous";

    public ContinuousSacConfig {
        hidden = List.copyOf(hidden);
        if (init == null) {
            throw new IllegalArgumentException("init must be one of " + List.of(Mlp.Init.values()));
        }
        if (bufferSize < batchSize) {
            throw new IllegalArgumentException("buffer_size (" + bufferSize + ") must be >= batch_size (" + batchSize + ")");
        }
        if (augmentations == null) {
            augmentations = Augmentations.NONE;
        }
    }

    @Override
    public String algorithm() {
        return NAME;
    }

    /**
     * CleanRL's {@code sac_continuous_action.py} defaults: [256, 256], actor lr 3e-4, critic lr 1e-3,
     * buffer 1e6, batch 256, gamma 0.99, tau 0.005, 5,000 random steps, autotuned alpha starting at 1
     * (log alpha = 0). CleanRL's delayed actor update (policy_frequency 2, twice in a row) is not
     * reproduced: the actor steps once per update, as in Stable-Baselines3.
     */
    public static ContinuousSacConfig cleanRl() {
        return new ContinuousSacConfig(List.of(256, 256), Mlp.Init.DDPG_UNIFORM, 0.99, 0.005, 3e-4, 1e-3, 1e-3, false,
                1.0, true, -1.0, 256, 1_000_000, 5_000, 1, 1, Augmentations.NONE);
    }

    /**
     * RL-Zoo's tuned SAC for {@code LunarLanderContinuous-v3} as issue 9 gives it: [256, 256], lr 7.3e-4
     * (linearly decayed, the zoo's {@code lin_7.3e-4}), buffer 1e6, batch 256, gamma 0.99, tau 0.01, one
     * update per env step, 10,000 random steps, ent_coef auto (starting at 1, SB3's default).
     */
    public static ContinuousSacConfig lunarLanderContinuous() {
        return new ContinuousSacConfig(List.of(256, 256), Mlp.Init.DDPG_UNIFORM, 0.99, 0.01, 7.3e-4, 7.3e-4, 7.3e-4, true,
                1.0, true, -1.0, 256, 1_000_000, 10_000, 1, 1, Augmentations.NONE);
    }

    /**
     * A small, fast configuration for low-dimensional tasks and CI: [64, 64], lr 1e-3, batch 64, buffer
     * 1e5, 1,000 random steps, tau 0.01 (not from a reference; chosen for the test task).
     */
    public static ContinuousSacConfig small() {
        return new ContinuousSacConfig(List.of(64, 64), Mlp.Init.DDPG_UNIFORM, 0.99, 0.01, 1e-3, 1e-3, 1e-3, false,
                1.0, true, -1.0, 64, 100_000, 1_000, 1, 1, Augmentations.NONE);
    }

    public ContinuousSacConfig withAugmentations(Augmentations a) {
        return new ContinuousSacConfig(hidden, init, gamma, tau, actorLr, criticLr, alphaLr, annealLr, initialAlpha,
                learnAlpha, targetEntropyPerDim, batchSize, bufferSize, learningStarts, trainFreq, gradientSteps, a);
    }

    public ContinuousSacConfig withHidden(List<Integer> h) {
        return new ContinuousSacConfig(h, init, gamma, tau, actorLr, criticLr, alphaLr, annealLr, initialAlpha,
                learnAlpha, targetEntropyPerDim, batchSize, bufferSize, learningStarts, trainFreq, gradientSteps, augmentations);
    }

    public ContinuousSacConfig withBatchSize(int b) {
        return new ContinuousSacConfig(hidden, init, gamma, tau, actorLr, criticLr, alphaLr, annealLr, initialAlpha,
                learnAlpha, targetEntropyPerDim, b, Math.max(bufferSize, b), learningStarts, trainFreq, gradientSteps, augmentations);
    }

    public ContinuousSacConfig withSchedule(int learningStarts, int trainFreq, int gradientSteps) {
        return new ContinuousSacConfig(hidden, init, gamma, tau, actorLr, criticLr, alphaLr, annealLr, initialAlpha,
                learnAlpha, targetEntropyPerDim, batchSize, bufferSize, learningStarts, trainFreq, gradientSteps, augmentations);
    }

    public ContinuousSacConfig withLearningRates(double actor, double critic, double alpha) {
        return new ContinuousSacConfig(hidden, init, gamma, tau, actor, critic, alpha, annealLr, initialAlpha,
                learnAlpha, targetEntropyPerDim, batchSize, bufferSize, learningStarts, trainFreq, gradientSteps, augmentations);
    }

    public ContinuousSacConfig withBufferSize(int n) {
        return new ContinuousSacConfig(hidden, init, gamma, tau, actorLr, criticLr, alphaLr, annealLr, initialAlpha,
                learnAlpha, targetEntropyPerDim, batchSize, n, learningStarts, trainFreq, gradientSteps, augmentations);
    }
}
