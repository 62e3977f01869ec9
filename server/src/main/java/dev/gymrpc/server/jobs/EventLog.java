package dev.gymrpc.server.jobs;

import dev.gymrpc.proto.v1.JobEvent;
import dev.gymrpc.server.store.Store;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's append-only event log: event {@code i} has offset {@code i}, forever. Held in memory while
 * the job is known to the server (loaded from {@code events.jsonl} on first use after a restart) and
 * appended to that file as events happen, so a watcher can replay any suffix, live or after a restart.
 *
 * <p>The log is "ended" while the job is in a final state; watchers that have sent everything then
 * complete their stream. Appending a non-final state event (a resume) re-opens it.
 *
 * <p>Listeners are told after every append, outside the lock; they must not block (watchers hand the
 * work to an executor).
 */
public final class EventLog {

    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);

    private final Store store;
    private final String jobId;
    private List<JobEvent> events;
    private Store.EventLogWriter writer;
    private boolean ended;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    EventLog(Store store, String jobId, boolean fresh, boolean ended) {
        this.store = store;
        this.jobId = jobId;
        this.events = fresh ? new ArrayList<>() : null;
        this.ended = ended;
    }

    private void load() {
        if (events == null) {
            try {
                events = new ArrayList<>(store.readEvents(jobId));
            } catch (IOException e) {
                LOG.warn("cannot read the event log of {}: {}", jobId, e.getMessage());
                events = new ArrayList<>();
            }
        }
    }

    /**
     * Appends {@code event} with the next offset and the current time (unless set), and returns it.
     * {@code endsLog} marks the log ended (a final state event) or re-opens it (any other state event).
     */
    JobEvent append(JobEvent.Builder event, Boolean endsLog) {
        JobEvent e;
        synchronized (this) {
            load();
            if (event.getUnixMs() == 0) {
                event.setUnixMs(System.currentTimeMillis());
            }
            e = event.setOffset(events.size()).build();
            events.add(e);
            if (endsLog != null) {
                ended = endsLog;
            }
            if (writer == null) {
                try {
                    writer = store.openEvents(jobId);
                } catch (IOException ex) {
                    throw new java.io.UncheckedIOException("cannot open the event log of " + jobId + ": "
                            + ex.getMessage(), ex);
                }
            }
            writer.append(e);
            if (endsLog != null) {
                writer.flush();
            }
        }
        for (Runnable l : listeners) {
            l.run();
        }
        return e;
    }

    /** Number of events (the next offset). */
    public synchronized long size() {
        load();
        return events.size();
    }

    /** Event at {@code offset}; {@code offset < size()}. */
    public synchronized JobEvent get(long offset) {
        load();
        return events.get((int) offset);
    }

    /**
     * The event at {@code offset} if there is one; otherwise {@code null}, with {@code ended[0]} telling
     * whether the log is ended (nothing will follow until a resume). One atomic look, for watchers.
     */
    public synchronized JobEvent poll(long offset, boolean[] ended) {
        load();
        if (offset < events.size()) {
            return events.get((int) offset);
        }
        ended[0] = this.ended;
        return null;
    }

    /** Whether the job is in a final state (no event will follow until a resume). */
    public synchronized boolean ended() {
        return ended;
    }

    /** Writes buffered events to disk. */
    synchronized void flush() {
        if (writer != null) {
            writer.flush();
        }
    }

    /** Flushes and closes the file (the job ended); a later append re-opens it. */
    synchronized void closeWriter() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                LOG.warn("closing the event log of {}: {}", jobId, e.getMessage());
            }
            writer = null;
        }
    }

    /** Calls {@code listener} after every append. */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    /** Number of registered listeners (watchers), for tests and diagnostics. */
    public int listenerCount() {
        return listeners.size();
    }
}
