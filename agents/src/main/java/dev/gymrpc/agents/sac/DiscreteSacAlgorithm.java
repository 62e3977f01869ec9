package dev.gymrpc.agents.sac;

import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Algorithm;
import dev.gymrpc.agents.RunContext;
import dev.gymrpc.agents.Runner;
import dev.gymrpc.envs.EnvSpec;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Discrete SAC (Christodoulou 2019) as a plug-in: {@link SacConfig}, {@link DiscreteSac}, {@link SacRunner}. */
public final class DiscreteSacAlgorithm implements Algorithm {

    @Override
    public String name() {
        return "sac";
    }

    @Override
    public String description() {
        return "Discrete SAC (Christodoulou 2019): twin critics, exact expectations over a softmax policy, learned temperature";
    }

    @Override
    public Set<ActionKind> actionKinds() {
        return Set.of(ActionKind.DISCRETE);
    }

    @Override
    public Class<SacConfig> configType() {
        return SacConfig.class;
    }

    @Override
    public Map<String, SacConfig> presets() {
        Map<String, SacConfig> m = new LinkedHashMap<>();
        m.put("fourrooms", SacConfig.fourRooms());
        m.put("fourrooms-fast", SacConfig.fourRoomsFast());
        m.put("lunarlander", SacConfig.lunarLander());
        return m;
    }

    @Override
    public String defaultPreset(EnvSpec env) {
        return env.id().toLowerCase(Locale.ROOT).startsWith("lunarlander") ? "lunarlander" : "fourrooms";
    }

    @Override
    public Runner newRunner(AlgoConfig config, RunContext ctx) {
        return new SacRunner((SacConfig) config, ctx);
    }

    @Override
    public double updatesPerEnvStep(AlgoConfig config, int maxEpisodeSteps) {
        SacConfig c = (SacConfig) config;
        return (double) c.gradientSteps() / c.trainFreq();
    }
}
