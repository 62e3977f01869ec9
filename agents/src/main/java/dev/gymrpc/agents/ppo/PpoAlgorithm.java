package dev.gymrpc.agents.ppo;

import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Algorithm;
import dev.gymrpc.agents.RunContext;
import dev.gymrpc.agents.Runner;
import dev.gymrpc.envs.EnvSpec;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** PPO-Clip (Schulman et al. 2017) as a plug-in: {@link PpoConfig}, {@link Ppo}, {@link PpoRunner}. */
public final class PpoAlgorithm implements Algorithm {

    @Override
    public String name() {
        return "ppo";
    }

    @Override
    public String description() {
        return "PPO-Clip (Schulman et al. 2017): clipped surrogate, episodic Monte-Carlo or GAE rollouts";
    }

    @Override
    public Set<ActionKind> actionKinds() {
        return Set.of(ActionKind.DISCRETE);
    }

    @Override
    public Class<PpoConfig> configType() {
        return PpoConfig.class;
    }

    @Override
    public Map<String, PpoConfig> presets() {
        Map<String, PpoConfig> m = new LinkedHashMap<>();
        m.put("paper", PpoConfig.paper());
        m.put("lunarlander-tuned", PpoConfig.lunarLanderTuned());
        m.put("cartpole", PpoConfig.cartPole());
        return m;
    }

    @Override
    public String defaultPreset(EnvSpec env) {
        return env.id().toLowerCase(Locale.ROOT).startsWith("cartpole") ? "cartpole" : "paper";
    }

    @Override
    public Runner newRunner(AlgoConfig config, RunContext ctx) {
        return new PpoRunner((PpoConfig) config, ctx);
    }

    /** One update per rollout of {@code numEnvs x rolloutSteps} steps, or per episode (half the time limit, else 200 steps). */
    @Override
    public double updatesPerEnvStep(AlgoConfig config, int maxEpisodeSteps) {
        PpoConfig c = (PpoConfig) config;
        double stepsPerUpdate = c.episodic() ? (maxEpisodeSteps > 0 ? maxEpisodeSteps / 2.0 : 200)
                : (double) c.numEnvs() * c.rolloutSteps();
        return 1.0 / stepsPerUpdate;
    }
}
