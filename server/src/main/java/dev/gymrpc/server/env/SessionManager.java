package dev.gymrpc.server.env;

import dev.gymrpc.server.errors.RequestException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The table of open env handles.
 *
 * <ul>
 *   <li>Handles are 128 random bits from {@link SecureRandom}, hex encoded: unguessable, so one client
 *       cannot reach another's env.</li>
 *   <li>At most {@code maxSessions} are open; the next open fails with RESOURCE_EXHAUSTED saying how
 *       to free some.</li>
 *   <li>Calls on one handle are serialised by its lock; calls on different handles run in parallel,
 *       and a failure inside one never touches another.</li>
 *   <li>A handle unused for {@code idleTimeout} is closed by a reaper thread (only when no call holds
 *       it), so crashed clients do not leak envs.</li>
 * </ul>
 */
public final class SessionManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionManager.class);

    /** Makes a session's resources once its handle is known. */
    @FunctionalInterface
    public interface Opener<S extends EnvSession> {
        S open(String handle);
    }

    private final int maxSessions;
    private final Duration idleTimeout;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, EnvSession> sessions = new ConcurrentHashMap<>();
    /** Open sessions plus reservations for sessions being made (so the cap holds while envs are built). */
    private final AtomicInteger reserved = new AtomicInteger();
    private final AtomicLong made = new AtomicLong();
    private final AtomicLong closedCount = new AtomicLong();
    private final AtomicLong reclaimed = new AtomicLong();
    private final ScheduledExecutorService reaper;

    public SessionManager(int maxSessions, Duration idleTimeout) {
        this.maxSessions = maxSessions;
        this.idleTimeout = idleTimeout;
        if (idleTimeout.isZero()) {
            this.reaper = null;
        } else {
            this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gymrpc-session-reaper");
                t.setDaemon(true);
                return t;
            });
            long periodMs = Math.max(10, Math.min(5_000, idleTimeout.toMillis() / 4));
            reaper.scheduleWithFixedDelay(this::reclaimIdle, periodMs, periodMs, TimeUnit.MILLISECONDS);
        }
    }

    public int maxSessions() {
        return maxSessions;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Number of open handles. */
    public int size() {
        return sessions.size();
    }

    /**
     * Opens a session: reserves a slot under the cap, draws a handle and lets {@code opener} build the
     * env. If the opener throws, the slot is released and nothing is registered.
     */
    public <S extends EnvSession> S open(Opener<S> opener) {
        int n = reserved.incrementAndGet();
        if (n > maxSessions) {
            reserved.decrementAndGet();
            throw RequestException.sessionLimit("the server already has " + maxSessions + " open environments, its "
                    + "limit (--max-sessions); close environments you no longer need with CloseEnv (or end their "
                    + "Session streams)" + (idleTimeout.isZero() ? "" : ", or wait: handles unused for "
                    + idleTimeout + " are reclaimed"));
        }
        S session;
        try {
            session = opener.open(newHandle());
        } catch (RuntimeException | Error e) {
            reserved.decrementAndGet();
            throw e;
        }
        sessions.put(session.handle(), session);
        made.incrementAndGet();
        LOG.info("opened {} {} for {} ({} open)", session.envId(), session.shortHandle(), session.owner(), sessions.size());
        return session;
    }

    /**
     * Runs {@code body} on the session named by {@code handle} while holding its lock.
     *
     * @throws RequestException NOT_FOUND if the handle is not open, INVALID_ARGUMENT if it is of the
     *                          other kind (single vs vector)
     */
    public <S extends EnvSession, T> T call(String handle, Class<S> kind, Function<S, T> body) {
        EnvSession s = sessions.get(handle);
        if (s == null) {
            throw notFound(handle);
        }
        if (!kind.isInstance(s)) {
            throw RequestException.wrongHandleKind("handle " + s.shortHandle() + "... is a "
                    + (s instanceof EnvSession.Vector ? "vector env: use VectorReset / VectorStep"
                    : "single env: use Reset / Step") + " with it");
        }
        s.lock.lock();
        try {
            if (s.closed) {
                throw notFound(handle);
            }
            s.lastUsedNanos = System.nanoTime();
            return body.apply(kind.cast(s));
        } finally {
            s.lastUsedNanos = System.nanoTime();
            s.lock.unlock();
        }
    }

    /** Runs {@code body} on any kind of session. */
    public <T> T call(String handle, Function<EnvSession, T> body) {
        return call(handle, EnvSession.class, body);
    }

    private static RequestException notFound(String handle) {
        return RequestException.unknownHandle("no open environment has handle " + shortHandle(handle) + "...: it was "
                + "never made, was closed, or was reclaimed after being idle; make a new one with MakeEnv");
    }

    /**
     * Closes {@code handle}, waiting for a call in progress on it to finish. Returns whether it was open.
     */
    public boolean close(String handle, String why) {
        EnvSession s = sessions.remove(handle);
        if (s == null) {
            return false;
        }
        closeRemoved(s);
        closedCount.incrementAndGet();
        LOG.info("closed {} {} ({}; {} open)", s.envId(), s.shortHandle(), why, sessions.size());
        return true;
    }

    private void closeRemoved(EnvSession s) {
        s.lock.lock();
        try {
            closeLocked(s);
        } finally {
            s.lock.unlock();
        }
    }

    /** Marks {@code s} closed and frees its env; the caller holds its lock and has removed it from the table. */
    private void closeLocked(EnvSession s) {
        try {
            s.closed = true;
            s.closeResources();
        } catch (RuntimeException e) {
            LOG.warn("closing {} {} failed: {}", s.envId(), s.shortHandle(), e.toString());
        } finally {
            reserved.decrementAndGet();
        }
    }

    /** Closes every handle unused for longer than the idle timeout and not in use now. Returns how many. */
    public int reclaimIdle() {
        if (idleTimeout.isZero()) {
            return 0;
        }
        long now = System.nanoTime();
        long limit = idleTimeout.toNanos();
        int n = 0;
        for (EnvSession s : new ArrayList<>(sessions.values())) {
            if (now - s.lastUsedNanos > limit && s.lock.tryLock()) {
                try {
                    if (System.nanoTime() - s.lastUsedNanos <= limit || !sessions.remove(s.handle(), s)) {
                        continue;
                    }
                    closeLocked(s);
                } finally {
                    s.lock.unlock();
                }
                reclaimed.incrementAndGet();
                n++;
                LOG.info("reclaimed {} {} of {}: unused for more than {} ({} open)", s.envId(), s.shortHandle(),
                        s.owner(), idleTimeout, sessions.size());
            }
        }
        return n;
    }

    /** Counters since start: made, closed by clients, reclaimed. */
    public String stats() {
        return made.get() + " made, " + closedCount.get() + " closed, " + reclaimed.get() + " reclaimed, "
                + sessions.size() + " open";
    }

    /** Closes every handle and stops the reaper. */
    @Override
    public void close() {
        if (reaper != null) {
            reaper.shutdownNow();
        }
        List<String> handles = new ArrayList<>(sessions.keySet());
        for (String h : handles) {
            close(h, "server shutdown");
        }
    }

    private String newHandle() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The first 8 characters of a handle, for logs and messages (the full handle is a capability). */
    static String shortHandle(String handle) {
        return handle.length() <= 8 ? handle : handle.substring(0, 8);
    }
}
