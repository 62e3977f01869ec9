package dev.gymrpc.agents;

import dev.gymrpc.agents.io.ModelIO;
import dev.gymrpc.agents.io.RecordCodec;
import dev.gymrpc.agents.io.StateBag;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The training entry point used by the server and the CLI, the same for every {@link Algorithm}.
 *
 * <pre>
 *   TrainResult r = Trainer.train(EnvRegistry.standard(),
 *           new TrainRequest(SacConfig.fourRooms(), "FourRooms-v0", 1, Budget.episodes(300)), listener, () -> cancelled);
 * </pre>
 */
public final class Trainer {

    private Trainer() {
    }

    /** What a run produced. */
    /**
     * How a run ended: its policy and counters; {@code cancelled} if it was cancelled; {@code stoppedEarly}
     * says why it ended before its budget on a good evaluation ({@link EvalSchedule#stopAtMeanReturn}), else null.
     */
    public record TrainResult(Policy policy, long envSteps, long episodes, long updates, boolean cancelled,
                              String stoppedEarly) {
    }

    /** As {@link #train(EnvRegistry, TrainRequest, TrainingListener, BooleanSupplier, CheckpointOptions)} on the standard registry without checkpoints. */
    public static TrainResult train(TrainRequest request, TrainingListener listener, BooleanSupplier cancelled) {
        return train(EnvRegistry.standard(), request, listener, cancelled, null);
    }

    /** As below on the standard registry. */
    public static TrainResult train(TrainRequest request, TrainingListener listener, BooleanSupplier cancelled,
                                    CheckpointOptions ckpt) {
        return train(EnvRegistry.standard(), request, listener, cancelled, ckpt);
    }

    /**
     * Trains synchronously on the calling thread, making every env with {@code registry}.
     *
     * @param cancelled polled every env step; when it returns true the run stops and returns the policy so far
     * @param ckpt      where and how often to checkpoint (null = never)
     * @throws TrainingDivergedException if a loss, parameter or gradient norm becomes non-finite or explodes
     * @throws dev.gymrpc.agents.config.InvalidConfigException if a config field is out of range, or the
     *                                  env's action space does not fit the algorithm
     */
    public static TrainResult train(EnvRegistry registry, TrainRequest request, TrainingListener listener,
                                    BooleanSupplier cancelled, CheckpointOptions ckpt) {
        return run(new RunContext(registry, request, listener, cancelled), null, ckpt);
    }

    /** As below on the standard registry. */
    public static TrainResult resume(Path checkpoint, Budget budget, TrainingListener listener, BooleanSupplier cancelled,
                                     CheckpointOptions ckpt) throws IOException {
        return resume(EnvRegistry.standard(), checkpoint, budget, listener, cancelled, ckpt);
    }

    /**
     * Continues a checkpointed run: same config, env, seed and evaluation schedule, counters continuing
     * from the checkpoint, until {@code budget} (total, counted from the original start; null = the
     * original budget). The interrupted episode is not restored (env state is not checkpointed): the
     * resumed run starts a new episode with a seed derived from the run seed and episode count. Gradient
     * diagnostics continue as requested (checkpoints written before they existed resume without them).
     */
    public static TrainResult resume(EnvRegistry registry, Path checkpoint, Budget budget, TrainingListener listener,
                                     BooleanSupplier cancelled, CheckpointOptions ckpt) throws IOException {
        StateBag bag = StateBag.read(checkpoint);
        AlgoConfig cfg = ModelIO.config((String) bag.get("algorithm"), (Map<?, ?>) bag.get("config"));
        Map<String, Object> options = new LinkedHashMap<>();
        ((Map<?, ?>) bag.get("envOptions")).forEach((k, v) -> options.put((String) k, v));
        Budget b = budget != null ? budget : RecordCodec.fromMap(Budget.class, (Map<?, ?>) bag.get("budget"));
        Map<Object, Object> evalMap = new LinkedHashMap<>((Map<?, ?>) bag.get("eval"));
        evalMap.putIfAbsent("stopAtMeanReturn", Double.NaN); // checkpoints from before the early stop
        EvalSchedule eval = RecordCodec.fromMap(EvalSchedule.class, evalMap);
        // Keys added after the first checkpoint format are optional: older checkpoints resume with the default.
        double abort = bag.has("abortGradNorm") && bag.get("abortGradNorm") instanceof Number n ? n.doubleValue()
                : TrainRequest.DEFAULT_ABORT_GRAD_NORM;
        // Diagnostics continue (their own generator starts afresh: other samples, the same training).
        dev.gymrpc.agents.diag.GradientDiagnostics diag = bag.has("gradDiagnostics") && bag.get("gradDiagnostics") instanceof String d
                ? dev.gymrpc.agents.diag.GradientDiagnostics.parse(d) : dev.gymrpc.agents.diag.GradientDiagnostics.OFF;
        TrainRequest req = new TrainRequest(cfg, (String) bag.get("envId"), options, bag.getLong("seed"), b, eval, abort, diag);
        RunContext ctx = new RunContext(registry, req, listener, cancelled);
        ctx.restoreCounters(bag.getLong("env_steps"), bag.getLong("episodes"), bag.getLong("updates"));
        return run(ctx, bag, ckpt);
    }

    /** Validates the config and checks that the algorithm can act in the request's env. */
    public static Algorithm check(EnvRegistry registry, TrainRequest request) {
        Algorithm algo = Algorithms.of(request.config());
        algo.schema().validate((Record) request.config());
        try (Env<?> env = registry.make(request.envId(), request.envOptions())) {
            if (!algo.supports(env.actionSpace())) {
                throw new dev.gymrpc.agents.config.InvalidConfigException("env_id", request.envId()
                        + " has action space " + env.actionSpace() + " but " + algo.name() + " acts in "
                        + algo.actionKinds().toString().toLowerCase(java.util.Locale.ROOT)
                        + " spaces; choose an algorithm that supports it (ListAlgorithms) or another env");
            }
        }
        return algo;
    }

    private static TrainResult run(RunContext ctx, StateBag restore, CheckpointOptions ckpt) {
        Algorithm algo = check(ctx.registry(), ctx.request());
        Runner runner = algo.newRunner(ctx.request().config(), ctx);
        ctx.setPolicySource(runner::policy);
        if (restore != null) {
            runner.restore(restore);
        }
        Runnable save = ckpt == null ? null : () -> {
            StateBag bag = new StateBag();
            ctx.save(bag);
            runner.save(bag, ckpt);
            try {
                bag.write(ckpt.file());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write checkpoint " + ckpt.file(), e);
            }
        };
        if (save != null) {
            ctx.setCheckpointer(save, ckpt.everyUpdates());
        }
        Policy policy = runner.run();
        if (save != null) {
            save.run();
        }
        return new TrainResult(policy, ctx.envSteps(), ctx.episodes(), ctx.updates(), ctx.wasCancelled(),
                ctx.stoppedEarly());
    }
}
