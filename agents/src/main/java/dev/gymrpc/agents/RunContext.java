package dev.gymrpc.agents;

import dev.gymrpc.agents.nn.Nd4jRuntime;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Book-keeping shared by every algorithm's {@link Runner}: the request and the env registry to make its
 * envs with, step and episode counters, the budget, cancellation, periodic evaluation, the divergence
 * check (the project's only one) and listener dispatch.
 */
public final class RunContext {

    private final TrainRequest request;
    private final EnvRegistry registry;
    private final TrainingListener listener;
    private final BooleanSupplier cancelled;
    private String stoppedEarly;
    private final long startNanos = System.nanoTime();
    private Supplier<Policy> policySource;
    private Runnable checkpointer;
    private long checkpointEvery;
    private boolean resumed;
    private long envSteps;
    private long episodes;
    private long updates;
    private long lastEvalStep;
    private long evals;
    private boolean wasCancelled;
    private dev.gymrpc.agents.diag.GradientQuality gradientQuality;

    /** A context on the standard registry. */
    public RunContext(TrainRequest request, TrainingListener listener, BooleanSupplier cancelled) {
        this(EnvRegistry.standard(), request, listener, cancelled);
    }

    public RunContext(EnvRegistry registry, TrainRequest request, TrainingListener listener, BooleanSupplier cancelled) {
        this.registry = registry;
        this.request = request;
        this.listener = listener == null ? TrainingListener.NONE : listener;
        this.cancelled = cancelled == null ? () -> false : cancelled;
    }

    /** Where evaluations get the current policy from. */
    public void setPolicySource(Supplier<Policy> source) {
        this.policySource = source;
    }

    public TrainRequest request() {
        return request;
    }

    /** The registry the run's envs come from (the one the caller of {@link Trainer} gave). */
    public EnvRegistry registry() {
        return registry;
    }

    /** A new env of the request's id and options (the caller closes it). */
    public Env<?> makeEnv() {
        return registry.make(request.envId(), request.envOptions());
    }

    public long envSteps() {
        return envSteps;
    }

    public long episodes() {
        return episodes;
    }

    public long updates() {
        return updates;
    }

    /** Called with {@code every > 0} to save a checkpoint after every {@code every} updates. */
    public void setCheckpointer(Runnable save, long every) {
        this.checkpointer = save;
        this.checkpointEvery = every;
    }

    /** Whether this run continues a checkpoint. */
    public boolean resumed() {
        return resumed;
    }

    /** Restores counters when resuming from a checkpoint. */
    public void restoreCounters(long steps, long eps, long ups) {
        resumed = true;
        envSteps = steps;
        episodes = eps;
        updates = ups;
        lastEvalStep = steps;
    }

    public void addSteps(int n) {
        envSteps += n;
    }

    /** Whether the loop should stop: budget reached, an evaluation reached the stop level, or cancelled. */
    public boolean done() {
        if (cancelled.getAsBoolean()) {
            wasCancelled = true;
            return true;
        }
        return stoppedEarly != null || request.budget().reached(envSteps, episodes);
    }

    /** Why the run ended before its budget ({@link EvalSchedule#stopAtMeanReturn}), or null. */
    public String stoppedEarly() {
        return stoppedEarly;
    }

    public boolean wasCancelled() {
        return wasCancelled;
    }

    /** Records a finished episode, notifies the listener and runs a due evaluation. */
    public void episodeEnded(double ret, int length, double discounted, boolean terminated) {
        episodes++;
        if (!Double.isFinite(ret)) {
            throw new TrainingDivergedException("charts/episodic_return", ret, 0, updates, envSteps);
        }
        listener.onEpisode(new EpisodeStats(episodes, envSteps, ret, length, discounted, terminated));
        EvalSchedule ev = request.eval();
        if (ev.everyEpisodes() > 0 && episodes % ev.everyEpisodes() == 0) {
            evaluate();
        }
    }

    /** Checks the metrics, adds {@code charts/SPS} and notifies the listener. */
    public void updated(Map<String, Double> metrics, boolean paramsFinite) {
        updates++;
        double limit = request.abortGradNorm();
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            double v = e.getValue();
            String k = e.getKey();
            if (!Double.isFinite(v) || (limit > 0 && k.startsWith("grad/") && k.contains("norm") && v > limit)) {
                throw new TrainingDivergedException(k, v, limit, updates, envSteps);
            }
        }
        if (!paramsFinite) {
            throw new TrainingDivergedException("params", Double.NaN, limit, updates, envSteps);
        }
        double secs = (System.nanoTime() - startNanos) / 1e9;
        // The only wall-clock metric: excluded from determinism comparisons.
        metrics.put("charts/SPS", secs > 0 ? envSteps / secs : 0);
        listener.onUpdate(envSteps, updates, metrics);
        if (checkpointer != null && checkpointEvery > 0 && updates % checkpointEvery == 0) {
            checkpointer.run();
        }
        EvalSchedule ev = request.eval();
        if (ev.everySteps() > 0 && envSteps - lastEvalStep >= ev.everySteps()) {
            lastEvalStep = envSteps;
            evaluate();
        }
    }

    private void evaluate() {
        if (policySource == null) {
            return;
        }
        EvalSchedule ev = request.eval();
        evals++;
        long seed = request.seed() * 1_000_003L + 7_919L * evals;
        EvalResult r = Evaluator.evaluate(policySource.get(), registry, request.envId(), request.envOptions(),
                ev.episodes(), seed, ev.deterministic(), () -> false);
        listener.onEvaluation(envSteps, episodes, r);
        if (ev.stopsEarly() && stoppedEarly == null && r.mean() >= ev.stopAtMeanReturn()) {
            stoppedEarly = String.format(java.util.Locale.ROOT,
                    "stopped early: evaluation mean return %.2f >= %.2f at env step %d", r.mean(),
                    ev.stopAtMeanReturn(), envSteps);
        }
    }

    /**
     * The run's gradient-quality diagnostics if the request asks for them ({@code null} when off): an
     * algorithm measures before an update whose 1-based index {@code updates() + 1} is
     * {@link dev.gymrpc.agents.diag.GradientQuality#due due} and reports into that update's metrics.
     */
    public dev.gymrpc.agents.diag.GradientQuality gradientQuality() {
        if (gradientQuality == null && request.gradDiagnostics().on()) {
            gradientQuality = new dev.gymrpc.agents.diag.GradientQuality(request.gradDiagnostics(), request.seed());
        }
        return gradientQuality;
    }

    /** The diagnostics to run before the next update, or {@code null} when none is due. */
    public dev.gymrpc.agents.diag.GradientQuality gradientQualityDue() {
        dev.gymrpc.agents.diag.GradientQuality q = gradientQuality();
        return q != null && q.due(updates + 1) ? q : null;
    }

    /** Seed for the first env reset: the run seed, or a derived one when resuming (env state is not checkpointed). */
    public long firstResetSeed() {
        return resumed ? request.seed() + 1_000_003L * (episodes + 1) : request.seed();
    }

    /** Request and counters, the part of a checkpoint common to all algorithms. */
    public void save(dev.gymrpc.agents.io.StateBag bag) {
        bag.put("format", 1).put("algorithm", request.config().algorithm())
                .put("config", dev.gymrpc.agents.io.RecordCodec.toMap((Record) request.config()))
                .put("abortGradNorm", request.abortGradNorm())
                .put("gradDiagnostics", request.gradDiagnostics().toString())
                .put("envId", request.envId()).put("envOptions", new java.util.TreeMap<>(request.envOptions()))
                .put("seed", request.seed()).put("budget", dev.gymrpc.agents.io.RecordCodec.toMap(request.budget()))
                .put("eval", dev.gymrpc.agents.io.RecordCodec.toMap(request.eval()))
                .put("env_steps", envSteps).put("episodes", episodes).put("updates", updates)
                .put("versions", new java.util.TreeMap<>(versions()));
    }

    /** Library versions recorded in saved models. */
    public static Map<String, String> versions() {
        return Map.of("java", System.getProperty("java.version"), "nd4j", Nd4jRuntime.nd4jVersion(),
                "gymrpc-agents", "0.1.0-SNAPSHOT");
    }
}
