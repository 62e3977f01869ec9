package dev.gymrpc.server.jobs;

import dev.gymrpc.proto.v1.BenchmarkScore;
import dev.gymrpc.proto.v1.BenchmarkVariant;
import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.JobKind;
import dev.gymrpc.proto.v1.JobProgress;
import dev.gymrpc.proto.v1.JobState;
import dev.gymrpc.proto.v1.RunBenchmarkRequest;
import dev.gymrpc.proto.v1.StartTrainingRequest;
import dev.gymrpc.proto.v1.TrainingSpec;
import dev.gymrpc.server.agent.AgentBackend;
import dev.gymrpc.server.agent.AgentErrors;
import dev.gymrpc.server.agent.ConfigException;
import dev.gymrpc.server.store.Store;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs training and benchmark jobs on a bounded pool of worker threads, Ray-Jobs style: submit -> id,
 * QUEUED until a worker is free, RUNNING, then SUCCEEDED / FAILED / CANCELLED. At most
 * {@link JobsConfig#maxQueued()} jobs wait; one more is refused (RESOURCE_EXHAUSTED) rather than piling
 * up without bound.
 *
 * <p>Durability: every job lives in the {@link Store}. On construction the manager loads the stored
 * jobs; those that were QUEUED or RUNNING when the previous server stopped (or crashed) become
 * INTERRUPTED and can be resumed from their last checkpoint with {@link #resume}. {@link #close} asks
 * running jobs to stop at their next step and marks them INTERRUPTED, so a graceful stop and a crash end
 * the same way.
 */
public final class JobManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JobManager.class);
    private static final SecureRandom IDS = new SecureRandom();

    private final Store store;
    private final AgentBackend backend;
    private final JobsConfig config;
    private final ThreadPoolExecutor pool;
    private final Map<String, ManagedJob> jobs = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public JobManager(Store store, AgentBackend backend, JobsConfig config) throws IOException {
        this.store = store;
        this.backend = backend;
        this.config = config;
        BlockingQueue<Runnable> queue = config.maxQueued() == 0 ? new SynchronousQueue<>()
                : new LinkedBlockingQueue<>(config.maxQueued());
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(config.workers(), config.workers(), 0, TimeUnit.MILLISECONDS, queue, r -> {
            Thread t = new Thread(r, "gymrpc-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        recover();
    }

    public Store store() {
        return store;
    }

    public AgentBackend backend() {
        return backend;
    }

    public JobsConfig config() {
        return config;
    }

    private void recover() throws IOException {
        int interrupted = 0;
        for (Job j : store.loadJobs()) {
            ManagedJob mj = new ManagedJob(store, j, false);
            jobs.put(j.getJobId(), mj);
            if (j.getState() == JobState.JOB_STATE_RUNNING || j.getState() == JobState.JOB_STATE_QUEUED) {
                String why = j.getState() == JobState.JOB_STATE_RUNNING
                        ? "the server stopped while the job was running; resume it with ResumeJob (gymrpc train --resume "
                        + j.getJobId() + ")"
                        : "the server stopped before the job started; resume it with ResumeJob";
                mj.transition(JobState.JOB_STATE_INTERRUPTED, why, null);
                mj.log().closeWriter();
                interrupted++;
            }
        }
        if (!jobs.isEmpty()) {
            LOG.info("store {}: {} jobs loaded, {} marked INTERRUPTED", store.root(), jobs.size(), interrupted);
        }
    }

    // ------------------------------------------------------------------ submit

    /**
     * Resolves and validates the spec, then queues a training job.
     *
     * @throws ConfigException     a bad field (path relative to the request, e.g. {@code spec.sac.gamma})
     */
    public Job startTraining(StartTrainingRequest request) {
        checkOpen();
        if (!request.hasSpec()) {
            throw new ConfigException("spec", "is required (algorithm, env_id, budget, ...)");
        }
        TrainingSpec spec = resolve(request.getSpec(), "spec");
        String label = request.getLabel().isBlank() ? defaultLabel(spec) : request.getLabel();
        Job record = Job.newBuilder().setJobId(newJobId()).setKind(JobKind.JOB_KIND_TRAINING)
                .setState(JobState.JOB_STATE_QUEUED).setLabel(label).setTraining(spec)
                .setCreatedUnixMs(System.currentTimeMillis())
                .setProgress(JobProgress.newBuilder().setLastEvalMeanReturn(Double.NaN)
                        .setMeanEpisodeReturn(Double.NaN).setLastEpisodeReturn(Double.NaN))
                .build();
        return submitNew(record);
    }

    /** Validates the variants and seeds, resolves every variant's spec and queues the benchmark. */
    public Job startBenchmark(RunBenchmarkRequest request) {
        checkOpen();
        if (request.getVariantsCount() < 1 || request.getVariantsCount() > 32) {
            throw new ConfigException("variants", "needs 1..32 variants, got " + request.getVariantsCount());
        }
        if (request.getSeedsCount() < 1 || request.getSeedsCount() > 100) {
            throw new ConfigException("seeds", "needs 1..100 seeds, got " + request.getSeedsCount());
        }
        if (new HashSet<>(request.getSeedsList()).size() != request.getSeedsCount()) {
            throw new ConfigException("seeds", "must be distinct, got " + request.getSeedsList());
        }
        if (request.getLastEpisodes() < 0) {
            throw new ConfigException("last_episodes", "must be >= 0 (0 = 100), got " + request.getLastEpisodes());
        }
        RunBenchmarkRequest.Builder resolved = request.toBuilder().clearVariants();
        if (request.getScore() == BenchmarkScore.BENCHMARK_SCORE_UNSPECIFIED) {
            resolved.setScore(BenchmarkScore.BENCHMARK_SCORE_FINAL_EVAL_MEAN);
        }
        if (request.getLastEpisodes() == 0) {
            resolved.setLastEpisodes(100);
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < request.getVariantsCount(); i++) {
            BenchmarkVariant v = request.getVariants(i);
            String path = "variants[" + i + "]";
            if (v.getName().isBlank()) {
                throw new ConfigException(path + ".name", "is required (e.g. \"sac+grokfast\")");
            }
            if (!names.add(Store.safeName(v.getName()))) {
                throw new ConfigException(path + ".name", "'" + v.getName() + "' is used twice");
            }
            if (!v.hasSpec()) {
                throw new ConfigException(path + ".spec", "is required");
            }
            TrainingSpec spec = resolve(v.getSpec().toBuilder().setSeed(request.getSeeds(0)).build(), path + ".spec");
            if (resolved.getScore() == BenchmarkScore.BENCHMARK_SCORE_FINAL_EVAL_MEAN
                    && spec.getEvaluation().getFinalEpisodes() == 0) {
                throw new ConfigException(path + ".spec.evaluation.final_episodes",
                        "must be >= 1 when the benchmark scores FINAL_EVAL_MEAN");
            }
            resolved.addVariants(v.toBuilder().setSpec(spec));
        }
        String label = request.getLabel().isBlank()
                ? String.join(" vs ", resolved.getVariantsList().stream().map(BenchmarkVariant::getName).toList())
                : request.getLabel();
        int total = request.getVariantsCount() * request.getSeedsCount();
        Job record = Job.newBuilder().setJobId(newJobId()).setKind(JobKind.JOB_KIND_BENCHMARK)
                .setState(JobState.JOB_STATE_QUEUED).setLabel(label).setBenchmark(resolved)
                .setCreatedUnixMs(System.currentTimeMillis())
                .setProgress(JobProgress.newBuilder().setRunsTotal(total).setLastEvalMeanReturn(Double.NaN)
                        .setMeanEpisodeReturn(Double.NaN).setLastEpisodeReturn(Double.NaN))
                .build();
        return submitNew(record);
    }

    private TrainingSpec resolve(TrainingSpec spec, String path) {
        try {
            return backend.resolve(spec);
        } catch (ConfigException e) {
            throw new ConfigException(path + "." + e.field(), e.getMessage().substring(e.field().length() + 2));
        }
    }

    private static String defaultLabel(TrainingSpec spec) {
        StringBuilder b = new StringBuilder(spec.getAlgorithmName());
        if (spec.getAugmentations().getGrokfast()) {
            b.append("+grokfast");
        }
        if (spec.getAugmentations().getGrade()) {
            b.append("+grade");
        }
        return b.append(' ').append(spec.getEnvId()).append(" seed ").append(spec.getSeed()).toString();
    }

    private synchronized String newJobId() {
        byte[] b = new byte[4];
        String id;
        do {
            IDS.nextBytes(b);
            id = "job-" + HexFormat.of().formatHex(b);
        } while (jobs.containsKey(id));
        return id;
    }

    private Job submitNew(Job record) {
        ManagedJob job = new ManagedJob(store, record, true);
        jobs.put(job.id(), job);
        job.transition(JobState.JOB_STATE_QUEUED, "", null);
        try {
            enqueue(job);
        } catch (RuntimeException e) {
            jobs.remove(job.id());
            job.log().closeWriter();
            try {
                deleteJobDir(job.id());
            } catch (IOException io) {
                LOG.warn("cannot remove the refused job {}: {}", job.id(), io.getMessage());
            }
            throw e;
        }
        return job.snapshot();
    }

    private void enqueue(ManagedJob job) {
        Runnable task = job.snapshot().getKind() == JobKind.JOB_KIND_BENCHMARK
                ? new BenchmarkJob(job, store, backend) : new TrainingJob(job, store, backend);
        Runnable wrapped = () -> {
            try {
                task.run();
            } finally {
                job.task(null);
            }
        };
        job.task(wrapped);
        try {
            pool.execute(wrapped);
        } catch (RejectedExecutionException e) {
            job.task(null);
            throw AgentErrors.queueFull("the job queue is full: " + config.workers() + " running and "
                    + config.maxQueued() + " queued jobs (the server's --max-queued-jobs); wait for one to end "
                    + "or cancel one (CancelJob), then retry");
        }
    }

    // ------------------------------------------------------------------ queries and control

    /** The job, or NOT_FOUND. */
    public ManagedJob job(String jobId) {
        ManagedJob j = jobId == null ? null : jobs.get(jobId);
        if (j == null) {
            throw AgentErrors.unknownJob(jobId);
        }
        return j;
    }

    public Job get(String jobId) {
        return job(jobId).snapshot();
    }

    /** Jobs newest first, optionally of one state, at most {@code limit} (0 = all). */
    public List<Job> list(JobState state, int limit) {
        List<Job> out = new ArrayList<>();
        for (ManagedJob j : jobs.values()) {
            Job s = j.snapshot();
            if (state == JobState.JOB_STATE_UNSPECIFIED || s.getState() == state) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparingLong(Job::getCreatedUnixMs).reversed().thenComparing(Job::getJobId));
        return limit > 0 && out.size() > limit ? out.subList(0, limit) : out;
    }

    /**
     * Cancels a queued job at once, or asks a running one to stop at its next step and waits up to
     * {@code wait} milliseconds for it to do so. Returns the job as it is then.
     */
    public Job cancel(String jobId, long waitMs) {
        ManagedJob job = job(jobId);
        synchronized (job) {
            JobState s = job.state();
            if (ManagedJob.isFinal(s)) {
                throw AgentErrors.jobState("job " + jobId + " already ended (" + s.name().replace("JOB_STATE_", "")
                        + "); nothing to cancel");
            }
            job.requestStop(ManagedJob.StopReason.CANCEL);
            Runnable task = job.task();
            if (s == JobState.JOB_STATE_QUEUED && task != null && pool.remove(task)) {
                job.task(null);
                job.transition(JobState.JOB_STATE_CANCELLED, "cancelled by a client before it started", null);
                job.log().closeWriter();
                return job.snapshot();
            }
        }
        long deadline = System.currentTimeMillis() + waitMs;
        while (!ManagedJob.isFinal(job.state()) && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return job.snapshot();
    }

    /** Re-queues an INTERRUPTED or CANCELLED job; it continues from its last checkpoint. */
    public Job resume(String jobId) {
        checkOpen();
        ManagedJob job = job(jobId);
        synchronized (job) {
            JobState s = job.state();
            if (s != JobState.JOB_STATE_INTERRUPTED && s != JobState.JOB_STATE_CANCELLED) {
                throw AgentErrors.jobState("job " + jobId + " is " + s.name().replace("JOB_STATE_", "")
                        + "; only INTERRUPTED or CANCELLED jobs can be resumed");
            }
            job.clearStop();
            job.transition(JobState.JOB_STATE_QUEUED, "resume requested",
                    r -> r.setResumeCount(r.getResumeCount() + 1));
            try {
                enqueue(job);
            } catch (RuntimeException e) {
                job.transition(s, "could not be resumed: the job queue is full", r -> r.setResumeCount(r.getResumeCount() - 1));
                job.log().closeWriter();
                throw e;
            }
        }
        return job.snapshot();
    }

    /**
     * Resumes every INTERRUPTED job, oldest first, as far as the queue allows ({@code serve --resume}).
     * Returns the ids resumed.
     */
    public List<String> resumeAllInterrupted() {
        List<Job> interrupted = new ArrayList<>(list(JobState.JOB_STATE_INTERRUPTED, 0));
        java.util.Collections.reverse(interrupted);
        List<String> ids = new ArrayList<>();
        for (Job j : interrupted) {
            try {
                resume(j.getJobId());
                ids.add(j.getJobId());
            } catch (RuntimeException e) {
                LOG.warn("could not resume {}: {}", j.getJobId(), e.getMessage());
            }
        }
        LOG.info("resumed {} interrupted jobs: {}", ids.size(), ids);
        return ids;
    }

    private void deleteJobDir(String jobId) throws IOException {
        java.nio.file.Path dir = store.jobDir(jobId);
        if (java.nio.file.Files.exists(dir)) {
            try (var s = java.nio.file.Files.walk(dir)) {
                for (var p : s.sorted(Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw AgentErrors.unavailable("the server is stopping; retry on the restarted server");
        }
    }

    /** Number of jobs waiting for a worker. */
    public int queued() {
        return pool.getQueue().size();
    }

    /**
     * Stops the manager: queued jobs and running jobs become INTERRUPTED (running ones after they reach
     * their next step and write their state, within {@link JobsConfig#stopGrace()}). Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ManagedJob j : jobs.values()) {
            JobState s = j.state();
            if (s == JobState.JOB_STATE_RUNNING || s == JobState.JOB_STATE_QUEUED) {
                j.requestStop(ManagedJob.StopReason.SHUTDOWN);
            }
        }
        // Queued tasks are dropped (their jobs become INTERRUPTED below). Workers are not interrupted: an
        // interrupt would close NIO channels mid-write (ClosedByInterruptException); the stop flag is enough.
        List<Runnable> dropped = new ArrayList<>();
        pool.getQueue().drainTo(dropped);
        pool.shutdown();
        try {
            if (!pool.awaitTermination(config.stopGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("some jobs did not stop within {}; they will be marked INTERRUPTED on the next start",
                        config.stopGrace());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ManagedJob j : jobs.values()) {
            synchronized (j) {
                if (j.state() == JobState.JOB_STATE_QUEUED) {
                    j.transition(JobState.JOB_STATE_INTERRUPTED,
                            "the server stopped before the job started; resume it with ResumeJob", null);
                }
            }
            j.log().closeWriter();
        }
        LOG.info("job manager stopped ({} jobs known, {} queued ones interrupted)", jobs.size(), dropped.size());
    }
}
