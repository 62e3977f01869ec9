package dev.gymrpc.server.jobs;

import dev.gymrpc.proto.v1.CheckpointEvent;
import dev.gymrpc.proto.v1.EpisodeEvent;
import dev.gymrpc.proto.v1.EvaluationEvent;
import dev.gymrpc.proto.v1.EvaluationSummary;
import dev.gymrpc.proto.v1.JobEvent;
import dev.gymrpc.proto.v1.JobProgress;
import dev.gymrpc.proto.v1.TrainingSpec;
import dev.gymrpc.proto.v1.UpdateEvent;
import dev.gymrpc.server.agent.TrainingRun;
import dev.gymrpc.server.store.AtomicFiles;
import dev.gymrpc.server.store.MetricsCsv;
import dev.gymrpc.server.store.Store;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link TrainingRun} of one training run inside a job (the job's only run, or one variant x seed of
 * a benchmark). It turns the backend's reports into the job's events, its metrics CSV and its progress
 * counters, guards against divergence, and stores checkpoints atomically.
 *
 * <p>Volume control: update diagnostics are averaged between episode ends (one UpdateEvent per episode
 * at most, like SB3's per-rollout logging; {@code *max*} metrics keep their maximum), progress events
 * are sent at most once a second, and the event file and CSV are flushed with them.
 *
 * <p>Divergence is checked in one place, the agents' {@code RunContext} (against the spec's
 * {@code abort_grad_norm}); the job fails with its {@code TrainingDivergedException}'s message.
 */
final class RunReporter implements TrainingRun, Closeable {

    private static final long PROGRESS_INTERVAL_MS = 1000;
    private static final int RECENT = 100;

    private final ManagedJob job;
    private final TrainingSpec spec;
    private final String variant;
    private final long seed;
    private final Path checkpointDir;
    private final Optional<Checkpoint> resume;
    private final MetricsCsv csv;
    private final ProgressScale scale;

    private final Map<String, double[]> agg = new LinkedHashMap<>(); // name -> {sum or max, count}
    private long lastUpdates;
    private final double[] recent = new double[RECENT];
    private int recentCount;
    private final List<Double> returns = new ArrayList<>();
    private long globalStep;
    private long episodes;
    private double lastReturn = Double.NaN;
    private double lastEvalMean = Double.NaN;
    private long lastProgressMs;
    private long lastProgressStep;
    private double stepsPerSecond;

    /** Maps a run's own progress to the job's overall fraction (benchmarks have several runs). */
    interface ProgressScale {
        void apply(JobProgress.Builder p, double runFraction);
    }

    RunReporter(ManagedJob job, TrainingSpec spec, String variant, long seed, Path runDir,
                List<Double> priorReturns, ProgressScale scale) throws IOException {
        this.job = job;
        this.spec = spec;
        this.variant = variant;
        this.seed = seed;
        this.scale = scale;
        this.checkpointDir = runDir.resolve("checkpoints");
        Path metrics = runDir.resolve("metrics.csv");
        Optional<Path> latest = Store.latestCheckpoint(checkpointDir);
        this.resume = latest.map(p -> new Checkpoint(p, Store.checkpointStep(p)));
        long from = resume.map(Checkpoint::globalStep).orElse(0L);
        // Rows written after the resume point would be written again by the resumed run.
        MetricsCsv.truncateAfter(metrics, from);
        for (MetricsCsv.Row r : MetricsCsv.read(metrics)) {
            if (r.name().equals("charts/episodic_return")) {
                returns.add(r.value());
                pushRecent(r.value());
                episodes = Math.max(episodes, r.episode() + 1);
            }
        }
        if (priorReturns != null && returns.isEmpty()) {
            returns.addAll(priorReturns);
        }
        this.globalStep = from;
        this.lastProgressStep = from;
        this.lastProgressMs = System.currentTimeMillis();
        this.csv = MetricsCsv.append(metrics);
    }

    @Override
    public Optional<Checkpoint> resumeFrom() {
        return resume;
    }

    @Override
    public boolean stopRequested() {
        return job.stopReason() != null;
    }

    @Override
    public long checkpointEverySteps() {
        if (spec.hasCheckpointEverySteps()) {
            return spec.getCheckpointEverySteps();
        }
        return 0;
    }

    private JobEvent.Builder event() {
        return JobEvent.newBuilder().setGlobalStep(globalStep).setVariant(variant).setSeed(seed);
    }

    @Override
    public void onEpisode(long step, long episode, double episodicReturn, long length, double discountedReturn,
                          boolean terminated) {
        globalStep = step;
        flushUpdates();
        long now = System.currentTimeMillis();
        episodes = episode + 1;
        lastReturn = episodicReturn;
        returns.add(episodicReturn);
        pushRecent(episodicReturn);
        csv.write(step, episode, "charts/episodic_return", episodicReturn, now);
        csv.write(step, episode, "charts/episodic_length", length, now);
        csv.write(step, episode, "charts/discounted_return", discountedReturn, now);
        job.emit(event().setUnixMs(now).setEpisode(EpisodeEvent.newBuilder().setEpisode(episode)
                .setEpisodicReturn(episodicReturn).setEpisodicLength(length).setDiscountedReturn(discountedReturn)
                .setTerminated(terminated)));
        maybeProgress(now, false);
    }

    @Override
    public void onUpdate(long step, long updates, Map<String, Double> metrics) {
        globalStep = step;
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            String name = e.getKey();
            double v = e.getValue() == null ? Double.NaN : e.getValue();
            double[] a = agg.computeIfAbsent(name, k -> new double[] {name.contains("max") ? Double.NEGATIVE_INFINITY : 0, 0});
            if (name.contains("max")) {
                a[0] = Math.max(a[0], v);
            } else {
                a[0] += v;
            }
            a[1]++;
        }
        lastUpdates = updates;
        maybeProgress(System.currentTimeMillis(), false);
    }

    /** Emits the averaged update diagnostics since the last call, if any. */
    private void flushUpdates() {
        if (agg.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        UpdateEvent.Builder u = UpdateEvent.newBuilder().setUpdates(lastUpdates);
        for (Map.Entry<String, double[]> e : agg.entrySet()) {
            double[] a = e.getValue();
            double v = e.getKey().contains("max") ? a[0] : a[0] / a[1];
            u.putMetrics(e.getKey(), v);
            csv.write(globalStep, episodes, e.getKey(), v, now);
        }
        agg.clear();
        job.emit(event().setUnixMs(now).setUpdate(u));
    }

    @Override
    public void onEvaluation(long step, long episode, EvaluationSummary summary) {
        globalStep = step;
        recordEvaluation(summary, false);
        maybeProgress(System.currentTimeMillis(), false);
    }

    /** Records an evaluation (periodic or final) in the CSV and the event log. */
    void recordEvaluation(EvaluationSummary summary, boolean isFinal) {
        long now = System.currentTimeMillis();
        lastEvalMean = summary.getMeanReturn();
        String prefix = isFinal ? "eval_final/" : "eval/";
        csv.write(globalStep, episodes, prefix + "mean_reward", summary.getMeanReturn(), now);
        csv.write(globalStep, episodes, prefix + "std_reward", summary.getStdReturn(), now);
        csv.write(globalStep, episodes, prefix + "mean_ep_length", summary.getMeanLength(), now);
        csv.write(globalStep, episodes, prefix + "success_rate", summary.getSuccessRate(), now);
        csv.flush(); // on disk before the job can be seen SUCCEEDED
        job.emit(event().setUnixMs(now).setEvaluation(EvaluationEvent.newBuilder().setSummary(summary)
                .setIsFinal(isFinal)));
    }

    @Override
    public void saveCheckpoint(long step, long eps, AtomicFiles.Content content) {
        metricsUpTo(step);
        try {
            AtomicFiles.write(Store.checkpointFile(checkpointDir, step), content);
            Store.pruneCheckpoints(checkpointDir, 2);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint at step " + step + " to " + checkpointDir
                    + ": " + e.getMessage(), e);
        }
        checkpointed(step);
    }

    @Override
    public Path scratchCheckpointFile() {
        try {
            java.nio.file.Files.createDirectories(checkpointDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + checkpointDir + ": " + e.getMessage(), e);
        }
        // The temp prefix makes an unadopted file (a crash between write and adoption) a leftover that the
        // store removes when it opens.
        return checkpointDir.resolve(AtomicFiles.TEMP_PREFIX + "backend.ckpt");
    }

    @Override
    public void adoptCheckpoint(long step, long eps, Path file) {
        metricsUpTo(step);
        try {
            AtomicFiles.move(file, Store.checkpointFile(checkpointDir, step));
            Store.pruneCheckpoints(checkpointDir, 2);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the checkpoint at step " + step + " in " + checkpointDir
                    + ": " + e.getMessage(), e);
        }
        checkpointed(step);
    }

    /**
     * Writes the update metrics averaged since the last episode and flushes the CSV before a checkpoint at
     * {@code step} is stored: a resume keeps the rows up to the checkpoint's step and drops the later ones,
     * so rows still held in memory would otherwise be lost by a crash (those updates would have no row).
     */
    private void metricsUpTo(long step) {
        globalStep = Math.max(globalStep, step);
        flushUpdates();
        csv.flush();
    }

    /** After a checkpoint is stored ({@link #metricsUpTo} ran before it): the event and the job record. */
    private void checkpointed(long step) {
        job.emit(event().setCheckpoint(CheckpointEvent.newBuilder().setStep(step)));
        job.update(r -> r.setCheckpointStep(step), true);
    }

    /** Sends a progress event if a second has passed (or {@code force}) and flushes the logs. */
    void maybeProgress(long now, boolean force) {
        if (!force && now - lastProgressMs < PROGRESS_INTERVAL_MS) {
            return;
        }
        double dt = (now - lastProgressMs) / 1000.0;
        if (dt > 0 && globalStep >= lastProgressStep) {
            stepsPerSecond = (globalStep - lastProgressStep) / dt;
        }
        lastProgressMs = now;
        lastProgressStep = globalStep;
        JobProgress.Builder p = JobProgress.newBuilder().setGlobalStep(globalStep).setEpisodes(episodes)
                .setStepsPerSecond(stepsPerSecond).setLastEpisodeReturn(lastReturn)
                .setMeanEpisodeReturn(meanRecent()).setLastEvalMeanReturn(lastEvalMean);
        if (spec.hasTotalSteps()) {
            p.setBudget(spec.getTotalSteps()).setBudgetUnit("steps");
        } else {
            p.setBudget(spec.getTotalEpisodes()).setBudgetUnit("episodes");
        }
        double runFraction = p.getBudget() == 0 ? 0
                : Math.min(1.0, (double) (spec.hasTotalSteps() ? globalStep : episodes) / p.getBudget());
        scale.apply(p, runFraction);
        csv.write(globalStep, episodes, "time/fps", stepsPerSecond, now);
        csv.flush();
        JobProgress progress = p.build();
        job.update(r -> r.setProgress(progress), false);
        job.emit(event().setUnixMs(now).setProgress(progress));
        job.log().flush();
    }

    private void pushRecent(double v) {
        recent[recentCount % RECENT] = v;
        recentCount++;
    }

    private double meanRecent() {
        int n = Math.min(recentCount, RECENT);
        if (n == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += recent[i];
        }
        return s / n;
    }

    long globalStep() {
        return globalStep;
    }

    long episodes() {
        return episodes;
    }

    /** Every training episode's return so far (including those before a resume). */
    List<Double> returns() {
        return returns;
    }

    /** Ends the run's reporting: last update diagnostics, a final progress event, files flushed. */
    void finish(long step, long eps) {
        globalStep = Math.max(globalStep, step);
        episodes = Math.max(episodes, eps);
        flushUpdates();
        maybeProgress(System.currentTimeMillis(), true);
    }

    @Override
    public void close() throws IOException {
        csv.close();
    }
}
