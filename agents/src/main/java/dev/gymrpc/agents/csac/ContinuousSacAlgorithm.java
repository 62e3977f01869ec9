package dev.gymrpc.agents.csac;

import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Algorithm;
import dev.gymrpc.agents.RunContext;
import dev.gymrpc.agents.Runner;
import dev.gymrpc.envs.EnvSpec;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * SAC for continuous actions (Haarnoja et al. 2018) as a plug-in: {@link ContinuousSacConfig},
 * {@link ContinuousSac}, {@link ContinuousSacRunner}.
 */
public final class ContinuousSacAlgorithm implements Algorithm {

    @Override
    public String name() {
        return ContinuousSacConfig.NAME;
    }

    @Override
    public String description() {
        return "SAC for continuous actions (Haarnoja et al. 2018): squashed Gaussian actor, twin critics, learned temperature toward -|A|";
    }

    @Override
    public Set<ActionKind> actionKinds() {
        return Set.of(ActionKind.CONTINUOUS);
    }

    @Override
    public Class<ContinuousSacConfig> configType() {
        return ContinuousSacConfig.class;
    }

    @Override
    public Map<String, ContinuousSacConfig> presets() {
        Map<String, ContinuousSacConfig> m = new LinkedHashMap<>();
        m.put("default", ContinuousSacConfig.cleanRl());
        m.put("lunarlander-continuous", ContinuousSacConfig.lunarLanderContinuous());
        m.put("small", ContinuousSacConfig.small());
        return m;
    }

    @Override
    public String defaultPreset(EnvSpec env) {
        return env.id().toLowerCase(Locale.ROOT).startsWith("lunarlander") ? "lunarlander-continuous" : "default";
    }

    @Override
    public Runner newRunner(AlgoConfig config, RunContext ctx) {
        return new ContinuousSacRunner((ContinuousSacConfig) config, ctx);
    }

    @Override
    public double updatesPerEnvStep(AlgoConfig config, int maxEpisodeSteps) {
        ContinuousSacConfig c = (ContinuousSacConfig) config;
        return (double) c.gradientSteps() / c.trainFreq();
    }
}
