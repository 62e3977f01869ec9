package dev.gymrpc.server.jobs;

import dev.gymrpc.proto.v1.JobState;
import org.slf4j.Logger;

/** What the training and benchmark runners share: ending a job that was asked to stop, error texts. */
final class JobRunners {

    private JobRunners() {
    }

    /** A job body that may throw anything; {@link #runGuarded} turns the outcome into the job's state. */
    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs {@code body} on a worker so that nothing it throws escapes to the pool: a failure marks the job
     * FAILED with a readable reason, a stop requested meanwhile ends it CANCELLED / INTERRUPTED instead,
     * and the job's event log is closed either way. Only fatal VM errors (not out-of-memory) propagate.
     */
    static void runGuarded(ManagedJob job, String kind, Logger log, Body body) {
        try {
            body.run();
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError && !(t instanceof OutOfMemoryError)) {
                throw (VirtualMachineError) t;
            }
            if (job.stopReason() != null) {
                // Asked to stop while evaluating or saving: that is an interruption, not a failure.
                log.info("{} {} stopped while finishing: {}", kind, job.id(), t.toString());
                endStopped(job);
                return;
            }
            log.error("{} {} failed", kind, job.id(), t);
            fail(job, kind, log, describe(t));
        } finally {
            job.log().closeWriter();
        }
    }

    /** Marks the job FAILED with {@code reason} unless it already ended. */
    static void fail(ManagedJob job, String kind, Logger log, String reason) {
        synchronized (job) {
            if (!ManagedJob.isFinal(job.state())) {
                job.transition(JobState.JOB_STATE_FAILED, reason, null);
            }
        }
        log.info("{} {} failed: {}", kind, job.id(), reason);
    }

    /** If the job was asked to stop before it started, ends it and returns true. */
    static boolean endIfStopped(ManagedJob job) {
        if (job.stopReason() == null) {
            return false;
        }
        endStopped(job);
        return true;
    }

    /** Ends a job that stopped on request: CANCELLED (client) or INTERRUPTED (server stop). */
    static void endStopped(ManagedJob job) {
        synchronized (job) {
            if (ManagedJob.isFinal(job.state())) {
                return;
            }
            if (job.stopReason() == ManagedJob.StopReason.SHUTDOWN) {
                job.transition(JobState.JOB_STATE_INTERRUPTED, "the server stopped while the job was running; "
                        + "resume it with ResumeJob (it continues from its last checkpoint)", null);
            } else {
                job.transition(JobState.JOB_STATE_CANCELLED, "cancelled by a client; ResumeJob continues it from "
                        + "its last checkpoint", null);
            }
        }
    }

    /** A failure's reason text: the exception's message, with its type when the message is poor. */
    static String describe(Throwable t) {
        if (t instanceof OutOfMemoryError) {
            return "out of memory: the run needs more heap than the server has (smaller buffer_size or "
                    + "hidden_sizes, fewer workers, or a larger -Xmx via GYMRPC_JAVA_OPTS)";
        }
        String m = t.getMessage();
        String type = t.getClass().getSimpleName();
        if (m == null || m.isBlank()) {
            return "training failed: " + type;
        }
        return t instanceof IllegalArgumentException || t instanceof IllegalStateException
                ? "training failed: " + m : "training failed: " + type + ": " + m;
    }
}
