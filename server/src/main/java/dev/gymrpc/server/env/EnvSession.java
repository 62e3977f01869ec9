package dev.gymrpc.server.env;

import dev.gymrpc.envs.AutoresetMode;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.VectorEnv;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One open handle: a single env or a vector env, with the lock that serialises calls on it (envs are
 * not thread-safe) and the time of its last use (for idle reclaim). Only {@link SessionManager} opens,
 * locks and closes sessions.
 */
public abstract sealed class EnvSession permits EnvSession.Single, EnvSession.Vector {

    private final String handle;
    private final String envId;
    private final String owner;
    final ReentrantLock lock = new ReentrantLock();
    volatile long lastUsedNanos;
    /** Set under {@link #lock} when closed; a caller that acquires the lock afterwards gets NOT_FOUND. */
    boolean closed;

    EnvSession(String handle, String envId, String owner) {
        this.handle = handle;
        this.envId = envId;
        this.owner = owner;
        this.lastUsedNanos = System.nanoTime();
    }

    public String handle() {
        return handle;
    }

    /** The env id it was made from. */
    public String envId() {
        return envId;
    }

    /** Who made it (peer address or stream), for logs. */
    public String owner() {
        return owner;
    }

    /** A log-safe form of the handle: the handle is a capability, so logs show only its first 8 characters. */
    public String shortHandle() {
        return SessionManager.shortHandle(handle);
    }

    abstract void closeResources();

    /** A single env. */
    public static final class Single extends EnvSession {
        private final Env<?> env;
        private final long[] observationShape;

        Single(String handle, String envId, String owner, Env<?> env) {
            super(handle, envId, owner);
            this.env = env;
            this.observationShape = java.util.Arrays.stream(env.observationSpace().shape()).asLongStream().toArray();
        }

        public Env<?> env() {
            return env;
        }

        long[] observationShape() {
            return observationShape;
        }

        @Override
        void closeResources() {
            env.close();
        }
    }

    /** A vector env, with the state the server checks before stepping it. */
    public static final class Vector extends EnvSession {
        private final VectorEnv<?> env;
        private final long[] batchObservationShape;
        /** Whether VectorReset was called at least once. */
        boolean everReset;
        /** Per sub-env: its episode ended and was not reset (only consulted in DISABLED mode). */
        final boolean[] ended;

        Vector(String handle, String envId, String owner, VectorEnv<?> env) {
            super(handle, envId, owner);
            this.env = env;
            int[] single = env.singleObservationSpace().shape();
            this.batchObservationShape = new long[single.length + 1];
            batchObservationShape[0] = env.numEnvs();
            for (int i = 0; i < single.length; i++) {
                batchObservationShape[i + 1] = single[i];
            }
            this.ended = new boolean[env.numEnvs()];
        }

        public VectorEnv<?> env() {
            return env;
        }

        AutoresetMode mode() {
            return env.autoresetMode();
        }

        long[] batchObservationShape() {
            return batchObservationShape;
        }

        @Override
        void closeResources() {
            env.close();
        }
    }
}
