package dev.gymrpc.server.agent;

import dev.gymrpc.proto.v1.JobEvent;
import dev.gymrpc.server.jobs.EventLog;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One WatchJob stream: sends the job's events from an offset, then follows the log live, and completes
 * after the event that ends the job.
 *
 * <p>Flow control (grpc-java's manual flow control pattern): events are sent only while
 * {@link ServerCallStreamObserver#isReady()} is true; when the client reads slowly the pump stops and
 * resumes from the {@code onReadyHandler}. The log itself is the buffer, so a slow or stalled watcher
 * costs one offset, not a growing queue. The {@code onCancelHandler} (client gone, deadline) unregisters
 * the watcher from the log at once.
 *
 * <p>Pumping happens on {@code executor}, one drain at a time per watcher, never on the training thread
 * that appends events.
 */
final class JobWatcher {

    private final ServerCallStreamObserver<JobEvent> out;
    private final EventLog log;
    private final boolean progressOnly;
    private final Executor executor;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable listener = this::schedule;
    private long next;
    private volatile boolean done;

    JobWatcher(ServerCallStreamObserver<JobEvent> out, EventLog log, long fromOffset, boolean progressOnly,
               Executor executor) {
        this.out = out;
        this.log = log;
        this.next = fromOffset;
        this.progressOnly = progressOnly;
        this.executor = executor;
    }

    void start() {
        out.setOnCancelHandler(this::stop);
        out.setOnReadyHandler(this::schedule);
        log.addListener(listener);
        schedule();
    }

    private void stop() {
        done = true;
        log.removeListener(listener);
    }

    private void schedule() {
        if (!done && scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                stop(); // the service is closing; the server cancels the call
            }
        }
    }

    private synchronized void drain() {
        scheduled.set(false);
        boolean[] ended = new boolean[1];
        try {
            while (!done && out.isReady()) {
                JobEvent e = log.poll(next, ended);
                if (e == null) {
                    if (ended[0]) {
                        stop();
                        out.onCompleted();
                    }
                    return;
                }
                next++;
                if (!progressOnly || isProgress(e)) {
                    out.onNext(e);
                }
            }
        } catch (RuntimeException ex) {
            // The call was cancelled between isReady and onNext; nothing to send to.
            stop();
        }
    }

    private static boolean isProgress(JobEvent e) {
        return switch (e.getKindCase()) {
            case STATE, PROGRESS, EVALUATION, BENCHMARK_RUN -> true;
            default -> false;
        };
    }
}
