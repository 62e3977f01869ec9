package dev.gymrpc.server.jobs;

import dev.gymrpc.proto.v1.BenchmarkRow;
import dev.gymrpc.proto.v1.BenchmarkRunEvent;
import dev.gymrpc.proto.v1.BenchmarkScore;
import dev.gymrpc.proto.v1.BenchmarkTable;
import dev.gymrpc.proto.v1.BenchmarkVariant;
import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.JobEvent;
import dev.gymrpc.proto.v1.JobState;
import dev.gymrpc.proto.v1.RunBenchmarkRequest;
import dev.gymrpc.proto.v1.TrainingSpec;
import dev.gymrpc.server.agent.AgentBackend;
import dev.gymrpc.agents.TrainingDivergedException;
import dev.gymrpc.server.agent.TrainingOutcome;
import dev.gymrpc.server.store.AtomicFiles;
import dev.gymrpc.server.store.Store;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a benchmark job: every variant with every seed, one run after another on the job's worker, each
 * scored per the request's {@link BenchmarkScore}; after each run the table (mean, sample sd and 95%
 * Student-t confidence interval per variant) is updated in the job record, so GetJob shows partial
 * results. Resuming skips the finished runs and continues the interrupted one from its checkpoint.
 * Benchmark runs keep metrics and checkpoints under the job but store no models.
 */
final class BenchmarkJob implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(BenchmarkJob.class);

    private final ManagedJob job;
    private final Store store;
    private final AgentBackend backend;

    BenchmarkJob(ManagedJob job, Store store, AgentBackend backend) {
        this.job = job;
        this.store = store;
        this.backend = backend;
    }

    @Override
    public void run() {
        JobRunners.runGuarded(job, "benchmark", LOG, this::runJob);
    }

    private void runJob() throws Exception {
        if (JobRunners.endIfStopped(job)) {
            return;
        }
        Job rec = job.snapshot();
        RunBenchmarkRequest bench = rec.getBenchmark();
        int total = bench.getVariantsCount() * bench.getSeedsCount();
        BenchmarkTable.Builder table = rec.hasBenchmarkResult() ? rec.getBenchmarkResult().toBuilder()
                : emptyTable(bench);
        int done = countDone(table);
        int doneAtStart = done;
        job.transition(JobState.JOB_STATE_RUNNING, done > 0 ? "resumed: " + done + " of " + total + " runs already done" : "",
                r -> r.setBenchmarkResult(table).setProgress(r.getProgress().toBuilder().setRunsDone(doneAtStart)
                        .setRunsTotal(total)));
        for (int vi = 0; vi < bench.getVariantsCount(); vi++) {
            BenchmarkVariant v = bench.getVariants(vi);
            for (long seed : bench.getSeedsList()) {
                if (table.getRows(vi).getSeedsList().contains(seed)) {
                    continue;
                }
                if (job.stopReason() != null) {
                    JobRunners.endStopped(job);
                    return;
                }
                TrainingSpec spec = v.getSpec().toBuilder().setSeed(seed).build();
                int doneNow = done;
                long t0 = System.nanoTime();
                TrainingOutcome out;
                double score;
                try (RunReporter rep = new RunReporter(job, spec, v.getName(), seed,
                        store.runDir(job.id(), v.getName(), seed), null,
                        (p, f) -> p.setRunsDone(doneNow).setRunsTotal(total).setFraction((doneNow + f) / total))) {
                    try {
                        out = backend.train(spec, rep);
                    } catch (TrainingDivergedException e) {
                        rep.finish(rep.globalStep(), rep.episodes());
                        fail("variant " + v.getName() + " seed " + seed + " " + e.getMessage());
                        return;
                    }
                    rep.finish(out.globalStep(), out.episodes());
                    if (out.stopped() || job.stopReason() != null) {
                        JobRunners.endStopped(job);
                        return;
                    }
                    if (out.finalEvaluation() != null) {
                        rep.recordEvaluation(out.finalEvaluation(), true);
                    }
                    score = score(bench, out, rep.returns());
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                double success = out.finalEvaluation() == null ? Double.NaN : out.finalEvaluation().getSuccessRate();
                table.setRows(vi, addRun(table.getRows(vi), seed, score, success, seconds));
                done++;
                int doneAfter = done;
                BenchmarkTable snapshot = table.build();
                job.emit(JobEvent.newBuilder().setGlobalStep(out.globalStep()).setVariant(v.getName()).setSeed(seed)
                        .setBenchmarkRun(BenchmarkRunEvent.newBuilder().setVariant(v.getName()).setSeed(seed)
                                .setScore(score).setRunsDone(doneAfter).setRunsTotal(total)));
                job.update(r -> r.setBenchmarkResult(snapshot).setProgress(r.getProgress().toBuilder()
                        .setRunsDone(doneAfter).setRunsTotal(total).setFraction((double) doneAfter / total)), true);
                LOG.info("benchmark {}: {} seed {} scored {} ({}/{} runs, {} s)", job.id(), v.getName(), seed,
                        score, doneAfter, total, String.format("%.1f", seconds));
            }
        }
        BenchmarkTable result = table.build();
        writeCsv(result);
        job.transition(JobState.JOB_STATE_SUCCEEDED, "", r -> r.setBenchmarkResult(result));
    }

    static BenchmarkTable.Builder emptyTable(RunBenchmarkRequest bench) {
        BenchmarkTable.Builder t = BenchmarkTable.newBuilder().setScore(bench.getScore());
        for (BenchmarkVariant v : bench.getVariantsList()) {
            t.addRows(BenchmarkRow.newBuilder().setVariant(v.getName()).setMean(Double.NaN)
                    .setCi95Low(Double.NaN).setCi95High(Double.NaN).setSuccessRate(Double.NaN));
        }
        return t;
    }

    private static int countDone(BenchmarkTable.Builder t) {
        int n = 0;
        for (BenchmarkRow r : t.getRowsList()) {
            n += r.getScoresCount();
        }
        return n;
    }

    static double score(RunBenchmarkRequest bench, TrainingOutcome out, List<Double> returns) {
        return switch (bench.getScore()) {
            case BENCHMARK_SCORE_LAST_EPISODES_MEAN -> {
                int k = Math.min(bench.getLastEpisodes(), returns.size());
                yield Stats.mean(returns.subList(returns.size() - k, returns.size()).stream()
                        .mapToDouble(Double::doubleValue).toArray());
            }
            case BENCHMARK_SCORE_MEAN_EPISODE_RETURN -> Stats.mean(returns.stream().mapToDouble(Double::doubleValue).toArray());
            default -> out.finalEvaluation() == null ? Double.NaN : out.finalEvaluation().getMeanReturn();
        };
    }

    /** The row with one more run, its statistics recomputed. */
    static BenchmarkRow addRun(BenchmarkRow row, long seed, double score, double success, double seconds) {
        BenchmarkRow.Builder b = row.toBuilder().addSeeds(seed).addScores(score);
        double[] scores = b.getScoresList().stream().mapToDouble(Double::doubleValue).toArray();
        Stats.Summary s = Stats.summarize(scores);
        int n = scores.length;
        double prevSuccess = Double.isNaN(row.getSuccessRate()) ? 0 : row.getSuccessRate();
        return b.setN(n).setMean(s.mean()).setStd(s.std()).setCi95Low(s.ci95Low()).setCi95High(s.ci95High())
                .setSuccessRate(Double.isNaN(success) ? row.getSuccessRate() : (prevSuccess * (n - 1) + success) / n)
                .setSecondsPerRun((row.getSecondsPerRun() * (n - 1) + seconds) / n)
                .build();
    }

    private void writeCsv(BenchmarkTable t) throws IOException {
        StringBuilder b = new StringBuilder("variant,n,mean,std,ci95_low,ci95_high,success_rate,seconds_per_run,seeds,scores\n");
        for (BenchmarkRow r : t.getRowsList()) {
            b.append(r.getVariant().replace(',', '_')).append(',').append(r.getN()).append(',').append(r.getMean())
                    .append(',').append(r.getStd()).append(',').append(r.getCi95Low()).append(',')
                    .append(r.getCi95High()).append(',').append(r.getSuccessRate()).append(',')
                    .append(r.getSecondsPerRun()).append(',')
                    .append(String.join(";", r.getSeedsList().stream().map(String::valueOf).toList())).append(',')
                    .append(String.join(";", r.getScoresList().stream().map(String::valueOf).toList())).append('\n');
        }
        AtomicFiles.writeString(store.jobDir(job.id()).resolve("benchmark.csv"), b.toString());
    }

    private void fail(String reason) {
        JobRunners.fail(job, "benchmark", LOG, reason);
    }
}
