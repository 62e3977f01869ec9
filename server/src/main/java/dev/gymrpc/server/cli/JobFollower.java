package dev.gymrpc.server.cli;

import dev.gymrpc.proto.v1.AgentServiceGrpc;
import dev.gymrpc.proto.v1.GetJobRequest;
import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.JobEvent;
import dev.gymrpc.proto.v1.JobProgress;
import dev.gymrpc.proto.v1.JobState;
import dev.gymrpc.proto.v1.WatchJobRequest;
import dev.gymrpc.server.jobs.ManagedJob;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows a job's event stream and draws a one-line progress bar with the live return and losses on
 * stderr (redrawn in place with {@code \r}; one line per state change). If the stream breaks (server
 * restart, network), it reconnects with {@code from_offset} = the next offset it has not seen, so no
 * event is lost or shown twice, backing off up to 10 s between tries.
 */
final class JobFollower {

    /** Losses shown on the live line, in order of preference, per algorithm. */
    private static final List<String> SHOWN = List.of("losses/qf1_loss", "losses/actor_loss", "losses/alpha",
            "losses/policy_loss", "losses/value_loss", "losses/entropy", "losses/approx_kl");

    private final AgentServiceGrpc.AgentServiceBlockingStub stub;
    private final PrintStream err;
    private final boolean quiet;
    private final boolean tty;
    private JobProgress progress = JobProgress.getDefaultInstance();
    private final Map<String, Double> losses = new LinkedHashMap<>();
    private double lastReturn = Double.NaN;
    private double lastEval = Double.NaN;
    private String variant = "";
    private long next;
    private int lastWidth;
    private long lastPrintMs;

    JobFollower(AgentServiceGrpc.AgentServiceBlockingStub stub, PrintStream err, boolean quiet) {
        this.stub = stub;
        this.err = err;
        this.quiet = quiet;
        this.tty = System.console() != null;
    }

    /** Follows {@code jobId} from {@code fromOffset} until it ends; returns the final job. */
    Job follow(String jobId, long fromOffset) throws InterruptedException {
        next = fromOffset;
        long backoff = 250;
        while (true) {
            try {
                Iterator<JobEvent> it = stub.watchJob(WatchJobRequest.newBuilder().setJobId(jobId).setFromOffset(next)
                        .build());
                while (it.hasNext()) {
                    JobEvent e = it.next();
                    next = e.getOffset() + 1;
                    handle(e);
                    backoff = 250;
                }
                Job j = stub.getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
                if (ManagedJob.isFinal(j.getState())) {
                    endLine();
                    return j;
                }
            } catch (StatusRuntimeException e) {
                Status.Code c = e.getStatus().getCode();
                if (c != Status.Code.UNAVAILABLE && c != Status.Code.CANCELLED && c != Status.Code.DEADLINE_EXCEEDED
                        && c != Status.Code.INTERNAL) {
                    endLine();
                    throw e;
                }
                endLine();
                err.printf("gymrpc: lost the event stream (%s); reconnecting from event %d in %d ms%n", c, next, backoff);
                Thread.sleep(backoff);
                backoff = Math.min(10_000, backoff * 2);
            }
        }
    }

    private void handle(JobEvent e) {
        if (!e.getVariant().isEmpty()) {
            variant = e.getVariant() + " seed " + e.getSeed();
        }
        switch (e.getKindCase()) {
            case STATE -> {
                endLine();
                err.println("[" + e.getState().getState().name().replace("JOB_STATE_", "") + "]"
                        + (e.getState().getReason().isEmpty() ? "" : " " + e.getState().getReason()));
            }
            case PROGRESS -> {
                progress = e.getProgress();
                draw();
            }
            case EPISODE -> lastReturn = e.getEpisode().getEpisodicReturn();
            case UPDATE -> {
                for (String k : SHOWN) {
                    Double v = e.getUpdate().getMetricsMap().get(k);
                    if (v != null) {
                        losses.put(k.substring(k.indexOf('/') + 1), v);
                    }
                }
            }
            case EVALUATION -> {
                lastEval = e.getEvaluation().getSummary().getMeanReturn();
                if (e.getEvaluation().getIsFinal()) {
                    endLine();
                    err.printf("final evaluation: mean return %.2f +- %.2f over %d episodes, success rate %.2f%n",
                            lastEval, e.getEvaluation().getSummary().getStdReturn(),
                            e.getEvaluation().getSummary().getReturnsCount(), e.getEvaluation().getSummary().getSuccessRate());
                }
            }
            case BENCHMARK_RUN -> {
                endLine();
                var b = e.getBenchmarkRun();
                err.printf("run %d/%d done: %s seed %d score %.3f%n", b.getRunsDone(), b.getRunsTotal(), b.getVariant(),
                        b.getSeed(), b.getScore());
                // The next run starts from scratch: do not show this run's figures on its line.
                lastReturn = Double.NaN;
                lastEval = Double.NaN;
                losses.clear();
            }
            default -> {
            }
        }
    }

    private void draw() {
        if (quiet) {
            return;
        }
        JobProgress p = progress;
        int width = 24;
        int filled = (int) Math.round(Math.max(0, Math.min(1, p.getFraction())) * width);
        StringBuilder b = new StringBuilder();
        b.append('[').append("#".repeat(filled)).append("-".repeat(width - filled)).append("] ")
                .append(String.format("%3.0f%%", 100 * p.getFraction()));
        if (p.getRunsTotal() > 0) {
            b.append(String.format(" run %d/%d (%s)", Math.min(p.getRunsDone() + 1, p.getRunsTotal()), p.getRunsTotal(), variant));
        }
        b.append(String.format(" step %d ep %d", p.getGlobalStep(), p.getEpisodes()));
        if (!Double.isNaN(lastReturn)) {
            b.append(String.format(" | return %.1f (mean %.1f)", lastReturn, p.getMeanEpisodeReturn()));
        }
        if (!Double.isNaN(lastEval)) {
            b.append(String.format(" eval %.1f", lastEval));
        }
        for (Map.Entry<String, Double> l : losses.entrySet()) {
            b.append(String.format(" %s %.3g", l.getKey(), l.getValue()));
        }
        b.append(String.format(" | %.0f steps/s", p.getStepsPerSecond()));
        if (p.getStepsPerSecond() > 0 && "steps".equals(p.getBudgetUnit()) && p.getRunsTotal() == 0) {
            long left = (long) ((p.getBudget() - p.getGlobalStep()) / p.getStepsPerSecond());
            b.append(String.format(" ETA %dm%02ds", left / 60, left % 60));
        }
        String line = b.toString();
        if (tty) {
            err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = line.length();
        } else if (System.currentTimeMillis() - lastPrintMs >= 5000) {
            // Not a terminal (a log file): a line every 5 s instead of redrawing.
            err.println(line);
            lastPrintMs = System.currentTimeMillis();
        }
        err.flush();
    }

    private void endLine() {
        if (tty && lastWidth > 0) {
            err.println();
            lastWidth = 0;
        }
    }

    /** Whether a job ended well. */
    static boolean ok(Job j) {
        return j.getState() == JobState.JOB_STATE_SUCCEEDED;
    }
}
