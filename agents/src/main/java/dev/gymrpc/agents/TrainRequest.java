package dev.gymrpc.agents;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that defines a training run. Same request (including seed) on the same machine gives the
 * same metrics, bit for bit.
 *
 * @param config     algorithm configuration ({@code SacConfig} or {@code PpoConfig})
 * @param envId      registered env id, e.g. {@code FourRooms-v0}
 * @param envOptions env keyword options passed to {@code EnvRegistry.make}
 * @param seed       run seed: networks, exploration, replay sampling and env resets derive from it
 * @param budget     when to stop
 * @param eval       periodic evaluation schedule ({@link EvalSchedule#NONE} for none)
 */
public record TrainRequest(AlgoConfig config, String envId, Map<String, Object> envOptions, long seed, Budget budget,
                           EvalSchedule eval) {

    public TrainRequest {
        if (config == null) {
            throw new IllegalArgumentException("config is required (SacConfig or PpoConfig)");
        }
        if (envId == null || envId.isBlank()) {
            throw new IllegalArgumentException("envId is required, e.g. FourRooms-v0");
        }
        if (budget == null) {
            throw new IllegalArgumentException("budget is required, e.g. Budget.steps(100000)");
        }
        envOptions = envOptions == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(envOptions));
        eval = eval == null ? EvalSchedule.NONE : eval;
    }

    public TrainRequest(AlgoConfig config, String envId, long seed, Budget budget) {
        this(config, envId, Map.of(), seed, budget, EvalSchedule.NONE);
    }
}
