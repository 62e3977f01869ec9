package dev.gymrpc.agents;

import dev.gymrpc.agents.config.Param;

/**
 * Algorithm-independent training augmentations, shared by every algorithm (a config field {@code augmentations}).
 *
 * @param grokfast       Grokfast-EMA gradient filter on every network (Lee et al. 2024)
 * @param grokfastAlpha  EMA momentum alpha_g, in [0, 1) (paper 0.98)
 * @param grokfastLambda amplification lambda, >= 0 (paper 2.0)
 * @param grade          GrAdE gradient-adaptive entropy bonus on the actor (main paper)
 * @param gradeKappa     GrAdE bonus scale kappa, >= 0 (paper: PPO 0.02; ignored by SAC, which uses the
 *                       current alpha)
 * @param gradeBeta      GrAdE EMA factor, in [0, 1) (paper 0.9)
 * @param gradClip       global gradient-norm clip per network, > 0 on, 0 off ("Exploding Gradients in Soft-Actor Critic")
 * @param weightDecay    decoupled weight decay per optimizer step, >= 0, 0 off ("Exploding Gradients in Soft-Actor Critic")
 */
public record Augmentations(
        @Param(doc = "Grokfast-EMA gradient filter on every network") boolean grokfast,
        @Param(doc = "Grokfast EMA momentum alpha_g (paper 0.98)", min = 0, max = 1, maxExclusive = true) double grokfastAlpha,
        @Param(doc = "Grokfast amplification lambda (paper 2.0)", min = 0) double grokfastLambda,
        @Param(doc = "GrAdE gradient-adaptive entropy bonus on the actor") boolean grade,
        @Param(doc = "GrAdE bonus scale kappa (PPO; SAC uses its alpha)", min = 0) double gradeKappa,
        @Param(doc = "GrAdE EMA factor beta (paper 0.9)", min = 0, max = 1, maxExclusive = true) double gradeBeta,
        @Param(doc = "clip each network's gradient to this global L2 norm; 0 = off", min = 0) double gradClip,
        @Param(doc = "decoupled weight decay per optimizer step; 0 = off", min = 0) double weightDecay) {

    /** Nothing on; the paper's hyperparameters kept for when a flag is switched on. */
    public static final Augmentations NONE = new Augmentations(false, 0.98, 2.0, false, 0.02, 0.9, 0, 0);

    public Augmentations withGrokfast(boolean on) {
        return new Augmentations(on, grokfastAlpha, grokfastLambda, grade, gradeKappa, gradeBeta, gradClip, weightDecay);
    }

    public Augmentations withGrokfast(double alpha, double lambda) {
        return new Augmentations(true, alpha, lambda, grade, gradeKappa, gradeBeta, gradClip, weightDecay);
    }

    public Augmentations withGrade(boolean on) {
        return new Augmentations(grokfast, grokfastAlpha, grokfastLambda, on, gradeKappa, gradeBeta, gradClip, weightDecay);
    }

    public Augmentations withGrade(double kappa, double beta) {
        return new Augmentations(grokfast, grokfastAlpha, grokfastLambda, true, kappa, beta, gradClip, weightDecay);
    }

    public Augmentations withGradClip(double maxNorm) {
        return new Augmentations(grokfast, grokfastAlpha, grokfastLambda, grade, gradeKappa, gradeBeta, maxNorm, weightDecay);
    }

    public Augmentations withWeightDecay(double wd) {
        return new Augmentations(grokfast, grokfastAlpha, grokfastLambda, grade, gradeKappa, gradeBeta, gradClip, wd);
    }
}
