package dev.gymrpc.server.cli;

import dev.gymrpc.proto.v1.AgentServiceGrpc;
import dev.gymrpc.proto.v1.CancelJobRequest;
import dev.gymrpc.proto.v1.GetJobRequest;
import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.JobKind;
import dev.gymrpc.proto.v1.JobProgress;
import dev.gymrpc.proto.v1.JobState;
import dev.gymrpc.proto.v1.ListJobsRequest;
import dev.gymrpc.proto.v1.ResumeJobRequest;
import dev.gymrpc.server.jobs.ManagedJob;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gymrpc jobs}: the training and benchmark jobs of a server or local store — list them, show one,
 * follow one to its end (reattaching after a lost terminal), cancel one, resume one.
 */
@Command(name = "jobs", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List, show, follow, cancel or resume training and benchmark jobs.",
                "Examples:",
                "  gymrpc jobs list --server localhost:50051 --state running",
                "  gymrpc jobs follow job-5f3a9c21 --server localhost:50051",
                "  gymrpc jobs cancel job-5f3a9c21 --server localhost:50051   (resumable: gymrpc jobs resume job-5f3a9c21)"},
        subcommands = {JobsCommand.ListJobs.class, JobsCommand.Show.class, JobsCommand.Follow.class,
                JobsCommand.Cancel.class, JobsCommand.Resume.class})
final class JobsCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    static String state(Job j) {
        return j.getState().name().replace("JOB_STATE_", "").toLowerCase(Locale.ROOT);
    }

    static String kind(Job j) {
        return j.getKind() == JobKind.JOB_KIND_BENCHMARK ? "benchmark" : "training";
    }

    /** What the job trains: algorithm and env, or a benchmark's variants and env. */
    static String what(Job j) {
        if (j.hasBenchmark() && j.getBenchmark().getVariantsCount() > 0) {
            return j.getBenchmark().getVariantsList().stream().map(v -> v.getName()).collect(Collectors.joining(","))
                    + " on " + j.getBenchmark().getVariants(0).getSpec().getEnvId() + " x "
                    + j.getBenchmark().getSeedsCount() + " seeds";
        }
        String algo = j.getTraining().getAlgorithmName().isEmpty()
                ? j.getTraining().getAlgorithm().name().replace("ALGORITHM_", "").toLowerCase(Locale.ROOT)
                : j.getTraining().getAlgorithmName();
        return algo + " on " + j.getTraining().getEnvId() + " seed " + j.getTraining().getSeed();
    }

    static String progress(Job j) {
        JobProgress p = j.getProgress();
        String runs = p.getRunsTotal() > 0 ? String.format(Locale.ROOT, " runs %d/%d", p.getRunsDone(), p.getRunsTotal()) : "";
        return String.format(Locale.ROOT, "%5.1f%% step %d%s", 100 * p.getFraction(), p.getGlobalStep(), runs);
    }

    /** {@code gymrpc jobs list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List jobs, newest first.")
    static final class ListJobs implements Callable<Integer> {
        @Option(names = "--state", paramLabel = "STATE", description = "Only jobs in this state: queued, running, "
                + "succeeded, failed, cancelled, interrupted (default: all).")
        String state;

        @Option(names = "--limit", defaultValue = "0", description = "At most this many (default: all).")
        int limit;

        @Mixin
        ConnectionOptions connection;

        @Override
        public Integer call() throws Exception {
            return CliErrors.run(() -> {
                ListJobsRequest.Builder req = ListJobsRequest.newBuilder().setLimit(limit);
                if (state != null) {
                    req.setState(parseState(state));
                }
                try (AgentConnection conn = connection.open(1)) {
                    List<Job> jobs = conn.blocking().listJobs(req.build()).getJobsList();
                    System.out.printf("%-14s %-10s %-12s %-20s %-28s %s%n", "job", "kind", "state", "created (UTC)",
                            "progress", "what");
                    for (Job j : jobs) {
                        System.out.printf("%-14s %-10s %-12s %-20s %-28s %s%n", j.getJobId(), kind(j), state(j),
                                TIME.format(Instant.ofEpochMilli(j.getCreatedUnixMs())), progress(j), what(j));
                    }
                    return 0;
                }
            });
        }
    }

    /** A verb on one job: the job id, where it is, and the connection opened around {@link #on}. */
    abstract static class OneJob implements Callable<Integer> {
        @Parameters(paramLabel = "JOB", description = "Job id.")
        String jobId;

        @Mixin
        ConnectionOptions connection;

        @Override
        public Integer call() throws Exception {
            return CliErrors.run(() -> {
                try (AgentConnection conn = connection.open(1)) {
                    return on(conn.blocking());
                }
            });
        }

        abstract int on(AgentServiceGrpc.AgentServiceBlockingStub stub) throws Exception;

        /** Follows the job from event {@code from} to its end, prints it; 0 if it succeeded. */
        int followToEnd(AgentServiceGrpc.AgentServiceBlockingStub stub, long from) throws InterruptedException {
            Job end = new JobFollower(stub, System.err, false).follow(jobId, from);
            System.out.print(describe(end));
            return JobFollower.ok(end) ? 0 : 1;
        }

        static void printState(Job j) {
            System.out.printf("%s: %s%s%n", j.getJobId(), state(j), j.getReason().isEmpty() ? "" : " - " + j.getReason());
        }
    }

    /** {@code gymrpc jobs show JOB}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one job: state, reason, progress, "
            + "model, and a benchmark's table so far.")
    static final class Show extends OneJob {
        @Override
        int on(AgentServiceGrpc.AgentServiceBlockingStub stub) {
            System.out.print(describe(stub.getJob(GetJobRequest.newBuilder().setJobId(jobId).build())));
            return 0;
        }
    }

    static String describe(Job j) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%s (%s): %s%s%n", j.getJobId(), kind(j), state(j),
                j.getReason().isEmpty() ? "" : " - " + j.getReason()));
        b.append(String.format("  what:     %s%s%n", what(j), j.getLabel().isEmpty() ? "" : " [" + j.getLabel() + "]"));
        b.append(String.format("  progress: %s, %d episodes", progress(j), j.getProgress().getEpisodes()));
        if (j.getProgress().getEpisodes() > 0) {
            b.append(String.format(Locale.ROOT, ", mean return %.2f", j.getProgress().getMeanEpisodeReturn()));
        }
        b.append(System.lineSeparator());
        b.append(String.format("  created:  %s UTC%s%n", TIME.format(Instant.ofEpochMilli(j.getCreatedUnixMs())),
                j.getFinishedUnixMs() > 0 ? ", finished " + TIME.format(Instant.ofEpochMilli(j.getFinishedUnixMs())) + " UTC" : ""));
        if (j.getCheckpointStep() > 0) {
            b.append(String.format("  checkpoint at step %d (resumed %d times)%n", j.getCheckpointStep(), j.getResumeCount()));
        }
        if (!j.getModelId().isEmpty()) {
            b.append(String.format("  model:    %s%n", j.getModelId()));
        }
        if (j.getBenchmarkResult().getRowsCount() > 0) {
            b.append(AgentsBenchCommand.table(j.getBenchmarkResult(),
                    j.getBenchmark().getVariantsCount() > 0 ? j.getBenchmark().getVariants(0).getSpec().getEnvId() : ""));
        }
        return b.toString();
    }

    /** {@code gymrpc jobs follow JOB}. */
    @Command(name = "follow", mixinStandardHelpOptions = true, description = "Follow a job's progress until it ends "
            + "(from its first event with --from-start, else from now); exit code 0 if it succeeded.")
    static final class Follow extends OneJob {
        @Option(names = "--from-start", description = "Replay the job's events from the first one.")
        boolean fromStart;

        @Override
        int on(AgentServiceGrpc.AgentServiceBlockingStub stub) throws InterruptedException {
            Job j = stub.getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
            if (ManagedJob.isFinal(j.getState())) {
                System.out.print(describe(j));
                return JobFollower.ok(j) ? 0 : 1;
            }
            return followToEnd(stub, fromStart ? 0 : j.getEventCount());
        }
    }

    /** {@code gymrpc jobs cancel JOB}. */
    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a queued or running job (it keeps "
            + "its last checkpoint and can be resumed).")
    static final class Cancel extends OneJob {
        @Override
        int on(AgentServiceGrpc.AgentServiceBlockingStub stub) {
            printState(stub.cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build()));
            return 0;
        }
    }

    /** {@code gymrpc jobs resume JOB}. */
    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a cancelled or interrupted job "
            + "from its last checkpoint (a benchmark skips its finished runs); --follow to watch it.")
    static final class Resume extends OneJob {
        @Option(names = "--follow", description = "Follow the resumed job until it ends.")
        boolean follow;

        @Override
        int on(AgentServiceGrpc.AgentServiceBlockingStub stub) throws InterruptedException {
            Job j = stub.resumeJob(ResumeJobRequest.newBuilder().setJobId(jobId).build());
            printState(j);
            return follow ? followToEnd(stub, j.getEventCount()) : 0;
        }
    }

    static JobState parseState(String s) {
        String n = "JOB_STATE_" + s.trim().toUpperCase(Locale.ROOT);
        try {
            JobState st = JobState.valueOf(n);
            if (st != JobState.JOB_STATE_UNSPECIFIED) {
                return st;
            }
        } catch (IllegalArgumentException ignored) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("--state must be one of " + Arrays.stream(JobState.values())
                .filter(v -> v != JobState.JOB_STATE_UNSPECIFIED && v != JobState.UNRECOGNIZED)
                .map(v -> v.name().replace("JOB_STATE_", "").toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
                + "; got '" + s + "'");
    }
}
