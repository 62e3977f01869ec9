package dev.gymrpc.agents;

import dev.gymrpc.agents.io.ModelIO;
import dev.gymrpc.agents.io.RecordCodec;
import dev.gymrpc.agents.io.StateBag;
import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.ppo.PpoRunner;
import dev.gymrpc.agents.sac.SacConfig;
import dev.gymrpc.agents.sac.SacRunner;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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
        return train(request, listener, cancelled, null);
    }

    /** As {@link #train(TrainRequest, TrainingListener, BooleanSupplier)}, checkpointing as {@code ckpt} says (may be null). */
    public static TrainResult train(TrainRequest request, TrainingListener listener, BooleanSupplier cancelled,
                                    CheckpointOptions ckpt) {
        return run(new RunContext(request, listener, cancelled), null, ckpt);
    }

    /**
     * Continues a checkpointed run: same config, env, seed and evaluation schedule, counters continuing
     * from the checkpoint, until {@code budget} (total, counted from the original start; null = the
     * original budget). The interrupted episode is not restored (env state is not checkpointed): the
     * resumed run starts a new episode with a seed derived from the run seed and episode count.
     */
    public static TrainResult resume(Path checkpoint, Budget budget, TrainingListener listener, BooleanSupplier cancelled,
                                     CheckpointOptions ckpt) throws IOException {
        StateBag bag = StateBag.read(checkpoint);
        AlgoConfig cfg = ModelIO.config((String) bag.get("algorithm"), (Map<?, ?>) bag.get("config"));
        Map<String, Object> options = new LinkedHashMap<>();
        ((Map<?, ?>) bag.get("envOptions")).forEach((k, v) -> options.put((String) k, v));
        Budget b = budget != null ? budget : RecordCodec.fromMap(Budget.class, (Map<?, ?>) bag.get("budget"));
        EvalSchedule eval = RecordCodec.fromMap(EvalSchedule.class, (Map<?, ?>) bag.get("eval"));
        TrainRequest req = new TrainRequest(cfg, (String) bag.get("envId"), options, bag.getLong("seed"), b, eval);
        RunContext ctx = new RunContext(req, listener, cancelled);
        ctx.restoreCounters(bag.getLong("env_steps"), bag.getLong("episodes"), bag.getLong("updates"));
        return run(ctx, bag, ckpt);
    }

    private static TrainResult run(RunContext ctx, StateBag restore, CheckpointOptions ckpt) {
        TrainRequest request = ctx.request();
        Policy policy;
        if (request.config() instanceof SacConfig sac) {
            try (Env<?> env = EnvRegistry.standard().make(request.envId(), request.envOptions())) {
                SacRunner runner = new SacRunner(sac, env, ctx);
                if (restore != null) {
                    runner.restore(restore);
                }
                Runnable save = ckpt == null ? null : () -> runner.saveCheckpoint(ckpt.file(), ckpt.includeReplayBuffer());
                if (save != null) {
                    ctx.setCheckpointer(save, ckpt.everyUpdates());
                }
                policy = runner.run();
                if (save != null) {
                    save.run();
                }
            }
        } else if (request.config() instanceof PpoConfig ppo) {
            PpoRunner runner = new PpoRunner(ppo, ctx);
            if (restore != null) {
                runner.restore(restore);
            }
            Runnable save = ckpt == null ? null : () -> runner.saveCheckpoint(ckpt.file());
            if (save != null) {
                ctx.setCheckpointer(save, ckpt.everyUpdates());
            }
            policy = runner.run();
            if (save != null) {
                save.run();
            }
        } else {
            throw new IllegalArgumentException("unsupported config " + request.config());
        }
        return new TrainResult(policy, ctx.envSteps(), ctx.episodes(), ctx.updates(), ctx.wasCancelled());
    }
}
