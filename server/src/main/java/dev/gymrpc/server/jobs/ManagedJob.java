package dev.gymrpc.server.jobs;

import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.JobEvent;
import dev.gymrpc.proto.v1.JobState;
import dev.gymrpc.proto.v1.StateEvent;
import dev.gymrpc.server.store.Store;
import java.util.function.Consumer;

/**
 * One job as the server holds it: its record (the {@link Job} message, persisted to {@code job.json} on
 * every state change and checkpoint), its {@link EventLog}, and the stop flag its runner polls.
 *
 * <p>Lock order: this object, then its event log.
 */
public final class ManagedJob {

    /** Why a running job is asked to stop. */
    enum StopReason {
        /** CancelJob: the job ends CANCELLED. */
        CANCEL,
        /** Server stop: the job ends INTERRUPTED. */
        SHUTDOWN
    }

    private final Store store;
    private final Job.Builder record;
    private final EventLog log;
    private volatile StopReason stop;
    private Runnable task;
    private long lastPersistMs;

    ManagedJob(Store store, Job record, boolean freshLog) {
        this.store = store;
        this.record = record.toBuilder();
        this.log = new EventLog(store, record.getJobId(), freshLog, isFinal(record.getState()));
    }

    public String id() {
        return record.getJobId();
    }

    public EventLog log() {
        return log;
    }

    /** A consistent copy of the record. */
    public synchronized Job snapshot() {
        return record.setEventCount(log.size()).build();
    }

    public synchronized JobState state() {
        return record.getState();
    }

    /** Whether {@code s} is a state a job stays in until someone resumes it (or forever). */
    public static boolean isFinal(JobState s) {
        return s == JobState.JOB_STATE_SUCCEEDED || s == JobState.JOB_STATE_FAILED
                || s == JobState.JOB_STATE_CANCELLED || s == JobState.JOB_STATE_INTERRUPTED;
    }

    /**
     * Moves the job to {@code state}: updates the record (times, reason), appends the state event and
     * persists the record, all under the job's lock so watchers never see the state without its event.
     */
    synchronized void transition(JobState state, String reason, Consumer<Job.Builder> also) {
        long now = System.currentTimeMillis();
        record.setState(state).setReason(isFinal(state) ? reason : "");
        if (state == JobState.JOB_STATE_RUNNING) {
            record.setStartedUnixMs(now).setFinishedUnixMs(0);
        } else if (isFinal(state)) {
            record.setFinishedUnixMs(now);
        } else {
            record.setFinishedUnixMs(0);
        }
        if (also != null) {
            also.accept(record);
        }
        log.append(JobEvent.newBuilder().setUnixMs(now).setGlobalStep(record.getProgress().getGlobalStep())
                .setState(StateEvent.newBuilder().setState(state).setReason(reason == null ? "" : reason)),
                isFinal(state));
        persistLocked();
    }

    /** Changes the record; persists it if {@code persist} or if the last write is 10 s old. */
    synchronized void update(Consumer<Job.Builder> change, boolean persist) {
        change.accept(record);
        if (persist || System.currentTimeMillis() - lastPersistMs > 10_000) {
            persistLocked();
        }
    }

    /** Appends a non-state event. */
    JobEvent emit(JobEvent.Builder event) {
        return log.append(event, null);
    }

    private void persistLocked() {
        record.setEventCount(log.size());
        store.saveJob(record.build());
        lastPersistMs = System.currentTimeMillis();
    }

    StopReason stopReason() {
        return stop;
    }

    void requestStop(StopReason reason) {
        if (stop == null || reason == StopReason.SHUTDOWN) {
            stop = reason;
        }
    }

    void clearStop() {
        stop = null;
    }

    synchronized Runnable task() {
        return task;
    }

    synchronized void task(Runnable t) {
        this.task = t;
    }
}
