package dev.gymrpc.envs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code N} copies of one env stepped as a batch, as Gymnasium 1.x's {@code SyncVectorEnv} (and, with
 * {@code threads > 1}, an in-process {@code AsyncVectorEnv}: sub-envs are split into contiguous chunks
 * stepped on worker threads).
 *
 * <p>Observations are returned flat, row {@code i} at {@code [i*obsSize, (i+1)*obsSize)}. Seeding:
 * {@code reset(seed)} seeds sub-env {@code i} with {@code seed + i}. Autoreset follows
 * {@link AutoresetMode}. Results are independent of {@code threads}: each sub-env owns its generator.
 */
public final class VectorEnv<A> implements AutoCloseable {

    /** Result of a batched reset. */
    public record VectorReset(float[] observations, int observationSize, List<Map<String, Object>> infos) {
        /** A copy of sub-env {@code i}'s observation. */
        public float[] observation(int i) {
            return Arrays.copyOfRange(observations, i * observationSize, (i + 1) * observationSize);
        }
    }

    /** Result of a batched step; arrays are indexed by sub-env. */
    public record VectorStep(float[] observations, int observationSize, double[] rewards, boolean[] terminated,
                             boolean[] truncated, List<Map<String, Object>> infos) {
        public float[] observation(int i) {
            return Arrays.copyOfRange(observations, i * observationSize, (i + 1) * observationSize);
        }
    }

    private final List<Env<A>> envs;
    private final AutoresetMode mode;
    private final int obsSize;
    private final int threads;
    private final ExecutorService pool;
    private final boolean[] ended;
    private final float[] lastObs;
    private boolean closed;

    /**
     * @param envs    the sub-envs, owned (closed) by this vector env
     * @param mode    autoreset mode
     * @param threads worker threads for stepping; 1 steps on the caller's thread
     */
    public VectorEnv(List<Env<A>> envs, AutoresetMode mode, int threads) {
        if (envs.isEmpty()) {
            throw new IllegalArgumentException("a vector env needs at least one sub-env");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.envs = List.copyOf(envs);
        this.mode = mode;
        this.obsSize = envs.get(0).observationSpace().flatSize();
        this.threads = Math.min(threads, envs.size());
        this.pool = this.threads > 1 ? Executors.newFixedThreadPool(this.threads - 1, r -> {
            Thread t = new Thread(r, "vector-env-worker");
            t.setDaemon(true);
            return t;
        }) : null;
        this.ended = new boolean[envs.size()];
        this.lastObs = new float[envs.size() * obsSize];
    }

    /** Makes {@code n} copies of {@code id} from {@code registry}. */
    public static VectorEnv<?> make(EnvRegistry registry, String id, int n, Map<String, ?> options,
                                    AutoresetMode mode, int threads) {
        if (n < 1) {
            throw new IllegalArgumentException("num_envs must be >= 1, got " + n);
        }
        List<Env<Object>> list = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                @SuppressWarnings("unchecked")
                Env<Object> e = (Env<Object>) registry.make(id, options);
                list.add(e);
            }
        } catch (RuntimeException e) {
            list.forEach(Env::close);
            throw e;
        }
        return new VectorEnv<>(list, mode, threads);
    }

    public int numEnvs() {
        return envs.size();
    }

    public AutoresetMode autoresetMode() {
        return mode;
    }

    public Box singleObservationSpace() {
        return envs.get(0).observationSpace();
    }

    public Space<A> singleActionSpace() {
        return envs.get(0).actionSpace();
    }

    public EnvSpec spec() {
        return envs.get(0).spec();
    }

    /** Sub-env {@code i} (for rendering or inspection; do not step it directly). */
    public Env<A> env(int i) {
        return envs.get(i);
    }

    /** Resets every sub-env; sub-env {@code i} gets seed {@code seed + i} when {@code seed} is non-null. */
    public VectorReset reset(Long seed) {
        return reset(seed, Map.of(), null);
    }

    /**
     * Resets the sub-envs selected by {@code mask} (all when null). Unselected sub-envs keep their last
     * observation, as Gymnasium's {@code reset_mask} does.
     */
    public VectorReset reset(Long seed, Map<String, ?> options, boolean[] mask) {
        ensureOpen();
        if (mask != null && mask.length != envs.size()) {
            throw new IllegalArgumentException("reset mask has " + mask.length + " entries, expected " + envs.size());
        }
        List<Map<String, Object>> infos = emptyInfos();
        for (int i = 0; i < envs.size(); i++) {
            if (mask != null && !mask[i]) {
                continue;
            }
            Reset r = envs.get(i).reset(seed == null ? null : seed + i, options);
            System.arraycopy(r.observation(), 0, lastObs, i * obsSize, obsSize);
            infos.set(i, r.info());
            ended[i] = false;
        }
        return new VectorReset(lastObs.clone(), obsSize, infos);
    }

    /** Steps every sub-env with its action. */
    public VectorStep step(List<? extends A> actions) {
        ensureOpen();
        int n = envs.size();
        if (actions.size() != n) {
            throw new InvalidActionException("expected " + n + " actions (one per sub-env), got " + actions.size());
        }
        // Validate everything before stepping anything, so a bad batch leaves every sub-env untouched.
        for (int i = 0; i < n; i++) {
            if (mode == AutoresetMode.DISABLED && ended[i]) {
                throw new ResetNeededException("sub-env " + i + " has ended and autoreset is DISABLED; reset it "
                        + "(reset with a mask selecting it) before stepping the batch");
            }
            if (!(mode == AutoresetMode.NEXT_STEP && ended[i])) {
                validate(i, actions.get(i));
            }
        }
        double[] rewards = new double[n];
        boolean[] terminated = new boolean[n];
        boolean[] truncated = new boolean[n];
        List<Map<String, Object>> infos = emptyInfos();
        if (pool == null) {
            stepRange(0, n, actions, rewards, terminated, truncated, infos);
        } else {
            runChunks(n, (from, to) -> stepRange(from, to, actions, rewards, terminated, truncated, infos));
        }
        return new VectorStep(lastObs.clone(), obsSize, rewards, terminated, truncated, infos);
    }

    private void validate(int i, A action) {
        Env<A> e = envs.get(i);
        if (action == null) {
            throw new InvalidActionException("action for sub-env " + i + " is null");
        }
        if (e.actionSpace() instanceof Box box) {
            String why = box.violation((float[]) action);
            if (why != null) {
                throw new InvalidActionException("action for sub-env " + i + " is not in " + box + ": " + why);
            }
        } else if (!e.actionSpace().contains(action)) {
            throw new InvalidActionException("action " + action + " for sub-env " + i + " is not in " + e.actionSpace());
        }
    }

    private void stepRange(int from, int to, List<? extends A> actions, double[] rewards, boolean[] terminated,
                           boolean[] truncated, List<Map<String, Object>> infos) {
        for (int i = from; i < to; i++) {
            Env<A> e = envs.get(i);
            if (mode == AutoresetMode.NEXT_STEP && ended[i]) {
                Reset r = e.reset(null, Map.of());
                System.arraycopy(r.observation(), 0, lastObs, i * obsSize, obsSize);
                infos.set(i, r.info());
                ended[i] = false;
                continue;
            }
            Step s = e.step(actions.get(i));
            rewards[i] = s.reward();
            terminated[i] = s.terminated();
            truncated[i] = s.truncated();
            boolean done = s.terminated() || s.truncated();
            if (done && mode == AutoresetMode.SAME_STEP) {
                Reset r = e.reset(null, Map.of());
                Map<String, Object> info = new HashMap<>(r.info());
                info.put("final_obs", s.observation());
                info.put("final_info", s.info());
                System.arraycopy(r.observation(), 0, lastObs, i * obsSize, obsSize);
                infos.set(i, info);
            } else {
                System.arraycopy(s.observation(), 0, lastObs, i * obsSize, obsSize);
                infos.set(i, s.info());
                ended[i] = done;
            }
        }
    }

    private interface Chunk {
        void run(int from, int to);
    }

    private void runChunks(int n, Chunk chunk) {
        int per = (n + threads - 1) / threads;
        List<Future<?>> futures = new ArrayList<>(threads - 1);
        for (int t = 1; t < threads; t++) {
            int from = Math.min(n, t * per);
            int to = Math.min(n, from + per);
            if (from < to) {
                Callable<Void> c = () -> {
                    chunk.run(from, to);
                    return null;
                };
                futures.add(pool.submit(c));
            }
        }
        RuntimeException first = null;
        try {
            chunk.run(0, Math.min(n, per));
        } catch (RuntimeException e) {
            first = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stepping", e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private List<Map<String, Object>> emptyInfos() {
        List<Map<String, Object>> infos = new ArrayList<>(envs.size());
        for (int i = 0; i < envs.size(); i++) {
            infos.add(Map.of());
        }
        return infos;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the vector env is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (pool != null) {
                pool.shutdownNow();
            }
            envs.forEach(Env::close);
        }
    }
}
