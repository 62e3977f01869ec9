package dev.gymrpc.agents.buffer;

import dev.gymrpc.agents.io.StateBag;
import dev.gymrpc.agents.util.Rng;

/**
 * Circular replay buffer of transitions {@code (s, a, r, s', terminated)} in flat float arrays (no
 * per-transition objects), for discrete and continuous actions alike: a discrete buffer
 * ({@link #ReplayBuffer(int, int)}) stores the action index as one float column, a continuous one
 * ({@link #ReplayBuffer(int, int, int)}) an action vector of {@code actDim} floats. Only {@code terminated}
 * is stored: truncated transitions are bootstrapped like any other ("bootstrap through truncation", as
 * SB3 and CleanRL do).
 */
public final class ReplayBuffer {

    /** A sampled minibatch in flat row-major arrays; reused between samples. */
    public static final class Batch {
        public final int size;
        public final float[] obs;
        /** {@code size x actDim} actions; a discrete action index is stored exactly as a float. */
        public final float[] actions;
        public final float[] rewards;
        public final float[] nextObs;
        public final float[] terminated;

        /** A batch for a discrete buffer (one action column). */
        public Batch(int size, int obsDim) {
            this(size, obsDim, 1);
        }

        public Batch(int size, int obsDim, int actDim) {
            this.size = size;
            obs = new float[size * obsDim];
            actions = new float[size * actDim];
            rewards = new float[size];
            nextObs = new float[size * obsDim];
            terminated = new float[size];
        }
    }

    private final int capacity;
    private final int obsDim;
    private final int actDim;
    /** Discrete buffers store one action index and write no {@code act_dim} to checkpoints (their old format). */
    private final boolean discrete;
    private final float[] obs;
    private final float[] actions;
    private final float[] rewards;
    private final float[] nextObs;
    private final float[] terminated;
    private int next;
    private int size;

    /** A buffer of discrete-action transitions (one action index each). */
    public ReplayBuffer(int capacity, int obsDim) {
        this(capacity, obsDim, 1, true);
    }

    /** A buffer of continuous-action transitions ({@code actDim} floats each). */
    public ReplayBuffer(int capacity, int obsDim, int actDim) {
        this(capacity, obsDim, actDim, false);
    }

    private ReplayBuffer(int capacity, int obsDim, int actDim, boolean discrete) {
        if (capacity < 1 || obsDim < 1 || actDim < 1) {
            throw new IllegalArgumentException("capacity, obsDim and actDim must be >= 1, got " + capacity + ", "
                    + obsDim + ", " + actDim);
        }
        this.capacity = capacity;
        this.obsDim = obsDim;
        this.actDim = actDim;
        this.discrete = discrete;
        obs = new float[Math.multiplyExact(capacity, obsDim)];
        nextObs = new float[capacity * obsDim];
        actions = new float[Math.multiplyExact(capacity, actDim)];
        rewards = new float[capacity];
        terminated = new float[capacity];
    }

    /** Adds a discrete-action transition. */
    public void add(float[] o, int action, float reward, float[] nextO, boolean term) {
        if (!discrete) {
            throw new IllegalStateException("this buffer stores action vectors of " + actDim + " floats");
        }
        actions[next] = action;
        store(o, reward, nextO, term);
    }

    /** Adds a transition whose action is the first {@code actDim} floats of {@code action}. */
    public void add(float[] o, float[] action, float reward, float[] nextO, boolean term) {
        System.arraycopy(action, 0, actions, next * actDim, actDim);
        store(o, reward, nextO, term);
    }

    private void store(float[] o, float reward, float[] nextO, boolean term) {
        System.arraycopy(o, 0, obs, next * obsDim, obsDim);
        System.arraycopy(nextO, 0, nextObs, next * obsDim, obsDim);
        rewards[next] = reward;
        terminated[next] = term ? 1f : 0f;
        next = (next + 1) % capacity;
        size = Math.min(size + 1, capacity);
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    public int obsDim() {
        return obsDim;
    }

    /** Floats per stored action: 1 for a discrete buffer. */
    public int actDim() {
        return actDim;
    }

    /** Fills {@code out} with {@code out.size} transitions drawn uniformly with replacement. */
    public void sample(Rng rng, Batch out) {
        if (size == 0) {
            throw new IllegalStateException("cannot sample from an empty replay buffer");
        }
        for (int k = 0; k < out.size; k++) {
            int i = rng.nextInt(size);
            System.arraycopy(obs, i * obsDim, out.obs, k * obsDim, obsDim);
            System.arraycopy(nextObs, i * obsDim, out.nextObs, k * obsDim, obsDim);
            System.arraycopy(actions, i * actDim, out.actions, k * actDim, actDim);
            out.rewards[k] = rewards[i];
            out.terminated[k] = terminated[i];
        }
    }

    /**
     * Adds the whole buffer to a checkpoint (can be large: capacity x (2 obsDim + actDim + 2) floats);
     * a continuous buffer also records {@code act_dim}.
     */
    public void save(StateBag bag, String prefix) {
        bag.putArray(prefix + ".obs", obs).putArray(prefix + ".next_obs", nextObs).putArray(prefix + ".actions", actions)
                .putArray(prefix + ".rewards", rewards).putArray(prefix + ".terminated", terminated);
        bag.put(prefix + ".next", next).put(prefix + ".size", size).put(prefix + ".capacity", capacity);
        if (!discrete) {
            bag.put(prefix + ".act_dim", actDim);
        }
    }

    /** Restores a buffer saved by {@link #save}; returns false (leaving it as it is) if the checkpoint has none. */
    public boolean restore(StateBag bag, String prefix) {
        if (!bag.has(prefix + ".obs")) {
            return false;
        }
        int cap = bag.getInt(prefix + ".capacity");
        if (discrete && cap != capacity) {
            throw new IllegalArgumentException("checkpointed replay buffer has capacity " + cap + ", config says " + capacity);
        }
        if (!discrete && (cap != capacity || bag.getInt(prefix + ".act_dim") != actDim)) {
            throw new IllegalArgumentException("checkpointed replay buffer has capacity " + cap + " and "
                    + bag.getInt(prefix + ".act_dim") + " action dimensions; this run has " + capacity + " and " + actDim);
        }
        System.arraycopy(bag.array(prefix + ".obs"), 0, obs, 0, obs.length);
        System.arraycopy(bag.array(prefix + ".next_obs"), 0, nextObs, 0, nextObs.length);
        System.arraycopy(bag.array(prefix + ".actions"), 0, actions, 0, actions.length);
        System.arraycopy(bag.array(prefix + ".rewards"), 0, rewards, 0, capacity);
        float[] t = bag.array(prefix + ".terminated");
        for (int i = 0; i < capacity; i++) {
            terminated[i] = t[i] != 0f ? 1f : 0f;
        }
        next = bag.getInt(prefix + ".next");
        size = bag.getInt(prefix + ".size");
        return true;
    }

    /** Transition at logical index {@code i} (0 = oldest), for tests and inspection. */
    public float reward(int i) {
        return rewards[physical(i)];
    }

    /** The action index of logical transition {@code i} (discrete buffers). */
    public int action(int i) {
        return (int) actions[physical(i) * actDim];
    }

    /** The action vector of logical transition {@code i} (0 = oldest), a copy. */
    public float[] actionVector(int i) {
        float[] a = new float[actDim];
        System.arraycopy(actions, physical(i) * actDim, a, 0, actDim);
        return a;
    }

    private int physical(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index " + i + " outside [0, " + size + ")");
        }
        return size < capacity ? i : (next + i) % capacity;
    }
}
