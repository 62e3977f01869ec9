package dev.gymrpc.agents;

import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.ppo.PpoRunner;
import dev.gymrpc.agents.sac.SacConfig;
import dev.gymrpc.agents.sac.SacRunner;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import java.util.function.BooleanSupplier;

/**
 * The training entry point used by the server and the CLI.
 *
 * <pre>
 *   TrainResult r = Trainer.train(new TrainRequest(SacConfig.fourRooms(), "FourRooms-v0", 1, Budget.episodes(300)),
 *                                 listener, () -> cancelled);
 * </pre>
 */
public final class Trainer {

    private Trainer() {
    }

    /** What a run produced. */
    public record TrainResult(Policy policy, long envSteps, long episodes, long updates, boolean cancelled) {
    }

    /**
     * Trains synchronously on the calling thread.
     *
     * @param cancelled polled every env step; when it returns true the run stops and returns the policy so far
     * @throws TrainingDivergedException if a loss, parameter or gradient norm becomes non-finite or explodes
     * @throws IllegalArgumentException  if the env's spaces do not fit the algorithm
     */
    public static TrainResult train(TrainRequest request, TrainingListener listener, BooleanSupplier cancelled) {
        RunContext ctx = new RunContext(request, listener, cancelled);
        Policy policy;
        if (request.config() instanceof SacConfig sac) {
            try (Env<?> env = EnvRegistry.standard().make(request.envId(), request.envOptions())) {
                policy = new SacRunner(sac, env, ctx).run();
            }
        } else if (request.config() instanceof PpoConfig ppo) {
            policy = new PpoRunner(ppo, ctx).run();
        } else {
            throw new IllegalArgumentException("unsupported config " + request.config());
        }
        return new TrainResult(policy, ctx.envSteps(), ctx.episodes(), ctx.updates(), ctx.wasCancelled());
    }
}
