package dev.gymrpc.server.agent;

import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Augmentations;
import dev.gymrpc.agents.nn.Mlp;
import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.sac.SacConfig;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.proto.v1.AdvantageEstimator;
import dev.gymrpc.proto.v1.Algorithm;
import dev.gymrpc.proto.v1.EvaluationSchedule;
import dev.gymrpc.proto.v1.Init;
import dev.gymrpc.proto.v1.TrainingSpec;
import dev.gymrpc.proto.wire.Values;
import java.util.Locale;
import java.util.Map;

/**
 * Maps the wire's {@link TrainingSpec} to the agents module's config records and back. The defaults are
 * the agents' presets and are written only there ({@link SacConfig#preset}, {@link PpoConfig#preset});
 * this class overlays the fields a request sets, lets the records validate (their messages name the
 * bad value and the range), and reports a rejected value with the proto field's path
 * ({@code sac.gamma}, {@code augmentations.grokfast_alpha}). The resolved spec it returns has every
 * field set, so a job's {@code job.json} and a model's provenance record the effective values.
 */
public final class ConfigMapping {

    /** Default number of episodes of a periodic evaluation. */
    static final int DEFAULT_EVAL_EPISODES = 5;
    /** Default number of episodes of the final evaluation stored with the model. */
    static final int DEFAULT_FINAL_EPISODES = 10;
    /** Default divergence threshold on gradient norms. */
    static final double DEFAULT_ABORT_GRAD_NORM = 1e6;

    private ConfigMapping() {
    }

    /** The preset name used when a spec names none. */
    public static String defaultPreset(Algorithm algorithm, String envId) {
        String env = envId.toLowerCase(Locale.ROOT);
        if (algorithm == Algorithm.ALGORITHM_SAC) {
            return env.startsWith("lunarlander") ? "lunarlander" : "fourrooms";
        }
        return env.startsWith("cartpole") ? "cartpole" : "paper";
    }

    /** Fills every unset field from the preset, validates, and returns the fully explicit spec. */
    public static TrainingSpec resolve(TrainingSpec spec, EnvRegistry registry) {
        if (spec.getAlgorithm() != Algorithm.ALGORITHM_SAC && spec.getAlgorithm() != Algorithm.ALGORITHM_PPO) {
            throw new ConfigException("algorithm", "is required: ALGORITHM_SAC or ALGORITHM_PPO");
        }
        if (spec.getEnvId().isBlank()) {
            throw new ConfigException("env_id", "is required, one of " + registry.ids());
        }
        Map<String, Object> options = Values.fromValueMap(spec.getEnvOptionsMap());
        try (Env<?> env = registry.make(spec.getEnvId(), options)) { // unknown id / bad option -> their errors
            if (!(env.actionSpace() instanceof Discrete)) {
                throw new ConfigException("env_id", spec.getEnvId() + " has the continuous action space "
                        + env.actionSpace() + "; PPO and Discrete SAC here need a Discrete one (e.g. "
                        + "LunarLander-v3 instead of LunarLanderContinuous-v3)");
            }
        }
        boolean sac = spec.getAlgorithm() == Algorithm.ALGORITHM_SAC;
        if (sac && spec.getConfigCase() == TrainingSpec.ConfigCase.PPO) {
            throw new ConfigException("ppo", "is set but algorithm is ALGORITHM_SAC; set sac instead (or leave it unset)");
        }
        if (!sac && spec.getConfigCase() == TrainingSpec.ConfigCase.SAC) {
            throw new ConfigException("sac", "is set but algorithm is ALGORITHM_PPO; set ppo instead (or leave it unset)");
        }
        String preset = spec.getPreset().isBlank() ? defaultPreset(spec.getAlgorithm(), spec.getEnvId()) : spec.getPreset();
        TrainingSpec.Builder out = spec.toBuilder().setPreset(preset);
        AlgoConfig config = toConfig(out.build());
        if (config instanceof SacConfig s) {
            out.setSac(toProto(s));
        } else {
            out.setPpo(toProto((PpoConfig) config));
        }
        out.setAugmentations(toProto(config.augmentations()));

        switch (spec.getBudgetCase()) {
            case TOTAL_STEPS -> {
                if (spec.getTotalSteps() < 1) {
                    throw new ConfigException("total_steps", "must be >= 1, got " + spec.getTotalSteps());
                }
            }
            case TOTAL_EPISODES -> {
                if (spec.getTotalEpisodes() < 1) {
                    throw new ConfigException("total_episodes", "must be >= 1, got " + spec.getTotalEpisodes());
                }
            }
            default -> throw new ConfigException("budget", "is required: set total_steps or total_episodes");
        }
        out.setEvaluation(resolveEvaluation(spec.getEvaluation()));
        if (!spec.hasCheckpointEverySteps()) {
            out.setCheckpointEverySteps(spec.hasTotalSteps() ? Math.max(1000, spec.getTotalSteps() / 20) : 10_000);
        } else if (spec.getCheckpointEverySteps() < 0) {
            throw new ConfigException("checkpoint_every_steps", "must be >= 0, got " + spec.getCheckpointEverySteps());
        }
        if (!spec.hasAbortGradNorm()) {
            out.setAbortGradNorm(DEFAULT_ABORT_GRAD_NORM);
        } else if (!(spec.getAbortGradNorm() >= 0) || Double.isInfinite(spec.getAbortGradNorm())) {
            throw new ConfigException("abort_grad_norm", "must be a finite number >= 0 (0 = off), got "
                    + spec.getAbortGradNorm());
        }
        return out.build();
    }

    private static EvaluationSchedule resolveEvaluation(EvaluationSchedule e) {
        EvaluationSchedule.Builder b = e.toBuilder();
        if (!e.hasEveryEpisodes()) {
            b.setEveryEpisodes(0);
        } else if (e.getEveryEpisodes() < 0) {
            throw new ConfigException("evaluation.every_episodes", "must be >= 0 (0 = never), got " + e.getEveryEpisodes());
        }
        if (!e.hasEverySteps()) {
            b.setEverySteps(0);
        } else if (e.getEverySteps() < 0) {
            throw new ConfigException("evaluation.every_steps", "must be >= 0 (0 = never), got " + e.getEverySteps());
        }
        if (!e.hasEpisodes()) {
            b.setEpisodes(DEFAULT_EVAL_EPISODES);
        } else if (e.getEpisodes() < 1 || e.getEpisodes() > 1000) {
            throw new ConfigException("evaluation.episodes", "must be in 1..1000, got " + e.getEpisodes());
        }
        if (!e.hasFinalEpisodes()) {
            b.setFinalEpisodes(DEFAULT_FINAL_EPISODES);
        } else if (e.getFinalEpisodes() < 0 || e.getFinalEpisodes() > PolicyEvaluator.MAX_EPISODES) {
            throw new ConfigException("evaluation.final_episodes", "must be in 0.." + PolicyEvaluator.MAX_EPISODES
                    + ", got " + e.getFinalEpisodes());
        }
        if (!e.hasDeterministic()) {
            b.setDeterministic(true);
        }
        return b.build();
    }

    /**
     * The agents' config of a spec: the preset (the spec's or the env's default) with the spec's set
     * fields overlaid.
     *
     * @throws ConfigException unknown preset or a value the record rejects
     */
    public static AlgoConfig toConfig(TrainingSpec spec) {
        String preset = spec.getPreset().isBlank() ? defaultPreset(spec.getAlgorithm(), spec.getEnvId()) : spec.getPreset();
        boolean sac = spec.getAlgorithm() == Algorithm.ALGORITHM_SAC;
        String prefix = sac ? "sac." : "ppo.";
        try {
            if (sac) {
                SacConfig base;
                try {
                    base = SacConfig.preset(preset);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("preset", e.getMessage());
                }
                return overlay(base, spec.getSac(), overlay(base.augmentations(), spec.getAugmentations()));
            }
            PpoConfig base;
            try {
                base = PpoConfig.preset(preset);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("preset", e.getMessage());
            }
            return overlay(base, spec.getPpo(), overlay(base.augmentations(), spec.getAugmentations()));
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(fieldOf(e.getMessage(), prefix), e.getMessage());
        }
    }

    /** The proto path of the record field a validation message starts with ("gamma must be ..."). */
    static String fieldOf(String message, String prefix) {
        String first = message == null ? "" : message.split("[ :,(]", 2)[0];
        if (first.startsWith("hidden")) {
            return prefix + "hidden_sizes";
        }
        if (first.startsWith("grokfast") || first.startsWith("grade") || first.equals("gradClip")
                || first.equals("weightDecay")) {
            return "augmentations." + snake(first);
        }
        if (first.equals("eval")) {
            return "evaluation";
        }
        return first.isEmpty() ? prefix.substring(0, prefix.length() - 1) : prefix + snake(first);
    }

    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static Augmentations overlay(Augmentations a, dev.gymrpc.proto.v1.Augmentations p) {
        return new Augmentations(
                p.hasGrokfast() ? p.getGrokfast() : a.grokfast(),
                p.hasGrokfastAlpha() ? p.getGrokfastAlpha() : a.grokfastAlpha(),
                p.hasGrokfastLambda() ? p.getGrokfastLambda() : a.grokfastLambda(),
                p.hasGrade() ? p.getGrade() : a.grade(),
                p.hasGradeKappa() ? p.getGradeKappa() : a.gradeKappa(),
                p.hasGradeBeta() ? p.getGradeBeta() : a.gradeBeta(),
                p.hasGradClip() ? p.getGradClip() : a.gradClip(),
                p.hasWeightDecay() ? p.getWeightDecay() : a.weightDecay());
    }

    private static SacConfig overlay(SacConfig c, dev.gymrpc.proto.v1.SacConfig p, Augmentations aug) {
        return new SacConfig(
                p.getHiddenSizesCount() > 0 ? p.getHiddenSizesList() : c.hidden(),
                p.getInit() != Init.INIT_UNSPECIFIED ? init(p.getInit(), "sac.init") : c.init(),
                p.hasGamma() ? p.getGamma() : c.gamma(),
                p.hasTau() ? p.getTau() : c.tau(),
                p.hasActorLr() ? p.getActorLr() : c.actorLr(),
                p.hasCriticLr() ? p.getCriticLr() : c.criticLr(),
                p.hasAlphaLr() ? p.getAlphaLr() : c.alphaLr(),
                p.hasInitialAlpha() ? p.getInitialAlpha() : c.initialAlpha(),
                p.hasLearnAlpha() ? p.getLearnAlpha() : c.learnAlpha(),
                p.hasTargetEntropyScale() ? p.getTargetEntropyScale() : c.targetEntropyScale(),
                p.hasBatchSize() ? p.getBatchSize() : c.batchSize(),
                p.hasBufferSize() ? p.getBufferSize() : c.bufferSize(),
                p.hasLearningStarts() ? p.getLearningStarts() : c.learningStarts(),
                p.hasTrainFreq() ? p.getTrainFreq() : c.trainFreq(),
                p.hasGradientSteps() ? p.getGradientSteps() : c.gradientSteps(),
                p.hasRewardClipLow() ? p.getRewardClipLow() : c.rewardClipLow(),
                aug);
    }

    private static PpoConfig overlay(PpoConfig c, dev.gymrpc.proto.v1.PpoConfig p, Augmentations aug) {
        return new PpoConfig(
                p.getHiddenSizesCount() > 0 ? p.getHiddenSizesList() : c.hidden(),
                p.getInit() != Init.INIT_UNSPECIFIED ? init(p.getInit(), "ppo.init") : c.init(),
                p.hasActorLr() ? p.getActorLr() : c.actorLr(),
                p.hasCriticLr() ? p.getCriticLr() : c.criticLr(),
                p.hasGamma() ? p.getGamma() : c.gamma(),
                switch (p.getAdvantage()) {
                    case ADVANTAGE_ESTIMATOR_MC -> PpoConfig.Advantage.MC;
                    case ADVANTAGE_ESTIMATOR_GAE -> PpoConfig.Advantage.GAE;
                    case ADVANTAGE_ESTIMATOR_UNSPECIFIED -> c.advantage();
                    default -> throw new ConfigException("ppo.advantage", "unknown value " + p.getAdvantageValue()
                            + "; use ADVANTAGE_ESTIMATOR_MC or ADVANTAGE_ESTIMATOR_GAE");
                },
                p.hasGaeLambda() ? p.getGaeLambda() : c.gaeLambda(),
                p.hasNumEnvs() ? p.getNumEnvs() : c.numEnvs(),
                p.hasRolloutSteps() ? p.getRolloutSteps() : c.rolloutSteps(),
                p.hasEpochs() ? p.getEpochs() : c.epochs(),
                p.hasMinibatchSize() ? p.getMinibatchSize() : c.minibatchSize(),
                p.hasShuffle() ? p.getShuffle() : c.shuffle(),
                p.hasClipEps() ? p.getClipEps() : c.clipEps(),
                p.hasEntCoef() ? p.getEntCoef() : c.entCoef(),
                p.hasVfCoef() ? p.getVfCoef() : c.vfCoef(),
                p.hasTargetKl() ? p.getTargetKl() : c.targetKl(),
                p.hasNormalizeAdvantages() ? p.getNormalizeAdvantages() : c.normalizeAdvantages(),
                p.hasAnnealLr() ? p.getAnnealLr() : c.annealLr(),
                aug);
    }

    private static Mlp.Init init(Init i, String field) {
        return switch (i) {
            case INIT_XAVIER_NORMAL -> Mlp.Init.XAVIER_NORMAL;
            case INIT_DDPG_UNIFORM -> Mlp.Init.DDPG_UNIFORM;
            default -> throw new ConfigException(field, "unknown value; use INIT_XAVIER_NORMAL or INIT_DDPG_UNIFORM");
        };
    }

    private static Init toProto(Mlp.Init i) {
        return i == Mlp.Init.XAVIER_NORMAL ? Init.INIT_XAVIER_NORMAL : Init.INIT_DDPG_UNIFORM;
    }

    static dev.gymrpc.proto.v1.SacConfig toProto(SacConfig c) {
        return dev.gymrpc.proto.v1.SacConfig.newBuilder().addAllHiddenSizes(c.hidden()).setInit(toProto(c.init()))
                .setGamma(c.gamma()).setTau(c.tau()).setActorLr(c.actorLr()).setCriticLr(c.criticLr())
                .setAlphaLr(c.alphaLr()).setInitialAlpha(c.initialAlpha()).setLearnAlpha(c.learnAlpha())
                .setTargetEntropyScale(c.targetEntropyScale()).setBatchSize(c.batchSize()).setBufferSize(c.bufferSize())
                .setLearningStarts(c.learningStarts()).setTrainFreq(c.trainFreq()).setGradientSteps(c.gradientSteps())
                .setRewardClipLow(c.rewardClipLow()).build();
    }

    static dev.gymrpc.proto.v1.PpoConfig toProto(PpoConfig c) {
        return dev.gymrpc.proto.v1.PpoConfig.newBuilder().addAllHiddenSizes(c.hidden()).setInit(toProto(c.init()))
                .setActorLr(c.actorLr()).setCriticLr(c.criticLr()).setGamma(c.gamma())
                .setAdvantage(c.advantage() == PpoConfig.Advantage.MC ? AdvantageEstimator.ADVANTAGE_ESTIMATOR_MC
                        : AdvantageEstimator.ADVANTAGE_ESTIMATOR_GAE)
                .setGaeLambda(c.gaeLambda()).setNumEnvs(c.numEnvs()).setRolloutSteps(c.rolloutSteps())
                .setEpochs(c.epochs()).setMinibatchSize(c.minibatchSize()).setShuffle(c.shuffle())
                .setClipEps(c.clipEps()).setEntCoef(c.entCoef()).setVfCoef(c.vfCoef()).setTargetKl(c.targetKl())
                .setNormalizeAdvantages(c.normalizeAdvantages()).setAnnealLr(c.annealLr()).build();
    }

    static dev.gymrpc.proto.v1.Augmentations toProto(Augmentations a) {
        return dev.gymrpc.proto.v1.Augmentations.newBuilder().setGrokfast(a.grokfast())
                .setGrokfastAlpha(a.grokfastAlpha()).setGrokfastLambda(a.grokfastLambda()).setGrade(a.grade())
                .setGradeKappa(a.gradeKappa()).setGradeBeta(a.gradeBeta()).setGradClip(a.gradClip())
                .setWeightDecay(a.weightDecay()).build();
    }
}
