package dev.gymrpc.agents.softppo;

import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Algorithm;
import dev.gymrpc.agents.RunContext;
import dev.gymrpc.agents.Runner;
import dev.gymrpc.agents.ppo.PpoAlgorithm;
import dev.gymrpc.agents.ppo.PpoRunner;
import dev.gymrpc.envs.EnvSpec;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Soft PPO (SPPO of Liu, Gu and Liu, "Policy Optimization Reinforcement Learning with Entropy
 * Regularization", 2020) as a plug-in. It runs PPO's own rollout loop and update ({@link PpoRunner},
 * {@code Ppo}) on {@link SoftPpoConfig#ppo()}, with {@link SoftTerms} putting the entropy into the
 * returns and, optionally, into the advantage. Grokfast and GrAdE compose as for PPO (they live in
 * {@code augmentations.*}); with GrAdE on, PPO replaces the loss-side entropy coefficient
 * {@code ent_coef} by {@code kappa * r}, while the temperature alpha in the returns stays fixed.
 */
public final class SoftPpoAlgorithm implements Algorithm {

    private static final PpoAlgorithm PPO = new PpoAlgorithm();

    @Override
    public String name() {
        return "soft-ppo";
    }

    @Override
    public String description() {
        return "Soft PPO (Liu, Gu, Liu 2020, SPPO): PPO-Clip with the entropy reward alpha H(pi) in the returns"
                + " and the soft advantage A - alpha log pi";
    }

    @Override
    public Set<ActionKind> actionKinds() {
        return PPO.actionKinds();
    }

    @Override
    public Class<SoftPpoConfig> configType() {
        return SoftPpoConfig.class;
    }

    @Override
    public Map<String, SoftPpoConfig> presets() {
        Map<String, SoftPpoConfig> m = new LinkedHashMap<>();
        m.put("paper", SoftPpoConfig.paper());
        m.put("cartpole", SoftPpoConfig.cartPole());
        return m;
    }

    @Override
    public String defaultPreset(EnvSpec env) {
        return env.id().toLowerCase(Locale.ROOT).startsWith("cartpole") ? "cartpole" : "paper";
    }

    @Override
    public Runner newRunner(AlgoConfig config, RunContext ctx) {
        SoftPpoConfig c = (SoftPpoConfig) config;
        return new PpoRunner(c.ppo(), ctx, c, new SoftTerms(c.alpha(), c.softAdvantage()));
    }

    @Override
    public double updatesPerEnvStep(AlgoConfig config, int maxEpisodeSteps) {
        return PPO.updatesPerEnvStep(((SoftPpoConfig) config).ppo(), maxEpisodeSteps);
    }
}
