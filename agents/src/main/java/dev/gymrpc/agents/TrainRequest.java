package dev.gymrpc.agents;

import dev.gymrpc.agents.diag.GradientDiagnostics;
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
 * @param abortGradNorm the run fails as diverged when a gradient norm ({@code grad/*norm*} metric) exceeds
 *                   this; 0 = off. Non-finite metrics, parameters and returns always fail it.
 * @param gradDiagnostics gradient-quality diagnostics ({@code gradq/*} metrics) of whatever algorithm runs;
 *                   {@link GradientDiagnostics#OFF} (the default) for none. They never change the training.
 */
public record TrainRequest(AlgoConfig config, String envId, Map<String, Object> envOptions, long seed, Budget budget,
                           EvalSchedule eval, double abortGradNorm, GradientDiagnostics gradDiagnostics) {

    /** The default divergence threshold on gradient norms. */
    public static final double DEFAULT_ABORT_GRAD_NORM = 1e6;

    public TrainRequest {
        if (config == null) {
            throw new IllegalArgumentException("config is required (an Algorithm's config record, e.g. a preset)");
        }
        if (envId == null || envId.isBlank()) {
            throw new IllegalArgumentException("envId is required, e.g. FourRooms-v0");
        }
        if (budget == null) {
            throw new IllegalArgumentException("budget is required, e.g. Budget.steps(100000)");
        }
        envOptions = envOptions == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(envOptions));
        eval = eval == null ? EvalSchedule.NONE : eval;
        gradDiagnostics = gradDiagnostics == null ? GradientDiagnostics.OFF : gradDiagnostics;
        if (!(abortGradNorm >= 0) || Double.isInfinite(abortGradNorm)) {
            throw new dev.gymrpc.agents.config.InvalidConfigException("abort_grad_norm",
                    "must be a finite number >= 0 (0 = off), got " + abortGradNorm);
        }
    }

    public TrainRequest(AlgoConfig config, String envId, Map<String, Object> envOptions, long seed, Budget budget,
                        EvalSchedule eval, double abortGradNorm) {
        this(config, envId, envOptions, seed, budget, eval, abortGradNorm, GradientDiagnostics.OFF);
    }

    public TrainRequest(AlgoConfig config, String envId, Map<String, Object> envOptions, long seed, Budget budget,
                        EvalSchedule eval) {
        this(config, envId, envOptions, seed, budget, eval, DEFAULT_ABORT_GRAD_NORM);
    }

    public TrainRequest(AlgoConfig config, String envId, long seed, Budget budget) {
        this(config, envId, Map.of(), seed, budget, EvalSchedule.NONE);
    }

    /** This request with another config (e.g. a variant of a benchmark). */
    public TrainRequest withConfig(AlgoConfig c) {
        return new TrainRequest(c, envId, envOptions, seed, budget, eval, abortGradNorm, gradDiagnostics);
    }

    /** This request with other gradient diagnostics. */
    public TrainRequest withGradDiagnostics(GradientDiagnostics d) {
        return new TrainRequest(config, envId, envOptions, seed, budget, eval, abortGradNorm, d);
    }
}
