package dev.gymrpc.agents.buffer;

import dev.gymrpc.agents.util.Rng;

/**
 * Circular replay buffer of discrete-action transitions {@code (s, a, r, s', terminated)}, flat float
 * arrays (no per-transition objects). Only {@code terminated} is stored: truncated transitions are
 * bootstrapped like any other ("bootstrap through truncation", as SB3 and CleanRL do).
 */
public final class ReplayBuffer {

    /** A sampled minibatch in flat row-major arrays; reused between samples. */
    public static final class Batch {
        public final int size;
        public final float[] obs;
        public final int[] actions;
        public final float[] rewards;
        public final float[] nextObs;
        public final float[] terminated;

        public Batch(int size, int obsDim) {
            this.size = size;
            obs = new float[size * obsDim];
            actions = new int[size];
            rewards = new float[size];
            nextObs = new float[size * obsDim];
            terminated = new float[size];
        }
    }

    private final int capacity;
    private final int obsDim;
    private final float[] obs;
    private final int[] actions;
    private final float[] rewards;
    private final float[] nextObs;
    private final boolean[] terminated;
    private int next;
    private int size;

    public ReplayBuffer(int capacity, int obsDim) {
        if (capacity < 1 || obsDim < 1) {
            throw new IllegalArgumentException("capacity and obsDim must be >= 1, got " + capacity + ", " + obsDim);
        }
        this.capacity = capacity;
        this.obsDim = obsDim;
        obs = new float[Math.multiplyExact(capacity, obsDim)];
        nextObs = new float[capacity * obsDim];
        actions = new int[capacity];
        rewards = new float[capacity];
        terminated = new boolean[capacity];
    }

    public void add(float[] o, int action, float reward, float[] nextO, boolean term) {
        System.arraycopy(o, 0, obs, next * obsDim, obsDim);
        System.arraycopy(nextO, 0, nextObs, next * obsDim, obsDim);
        actions[next] = action;
        rewards[next] = reward;
        terminated[next] = term;
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

    /** Fills {@code out} with {@code out.size} transitions drawn uniformly with replacement. */
    public void sample(Rng rng, Batch out) {
        if (size == 0) {
            throw new IllegalStateException("cannot sample from an empty replay buffer");
        }
        for (int k = 0; k < out.size; k++) {
            int i = rng.nextInt(size);
            System.arraycopy(obs, i * obsDim, out.obs, k * obsDim, obsDim);
            System.arraycopy(nextObs, i * obsDim, out.nextObs, k * obsDim, obsDim);
            out.actions[k] = actions[i];
            out.rewards[k] = rewards[i];
            out.terminated[k] = terminated[i] ? 1f : 0f;
        }
    }

    /** Adds the whole buffer to a checkpoint (can be large: capacity x (2 obsDim + 3) floats). */
    public void save(dev.gymrpc.agents.io.StateBag bag, String prefix) {
        float[] a = new float[capacity];
        float[] t = new float[capacity];
        for (int i = 0; i < capacity; i++) {
            a[i] = actions[i];
            t[i] = terminated[i] ? 1f : 0f;
        }
        bag.putArray(prefix + ".obs", obs).putArray(prefix + ".next_obs", nextObs).putArray(prefix + ".actions", a)
                .putArray(prefix + ".rewards", rewards).putArray(prefix + ".terminated", t);
        bag.put(prefix + ".next", next).put(prefix + ".size", size).put(prefix + ".capacity", capacity);
    }

    /** Restores a buffer saved by {@link #save}; returns false (leaving it empty) if the checkpoint has none. */
    public boolean restore(dev.gymrpc.agents.io.StateBag bag, String prefix) {
        if (!bag.has(prefix + ".obs")) {
            return false;
        }
        if (bag.getInt(prefix + ".capacity") != capacity) {
            throw new IllegalArgumentException("checkpointed replay buffer has capacity " + bag.getInt(prefix + ".capacity")
                    + ", config says " + capacity);
        }
        System.arraycopy(bag.array(prefix + ".obs"), 0, obs, 0, obs.length);
        System.arraycopy(bag.array(prefix + ".next_obs"), 0, nextObs, 0, nextObs.length);
        System.arraycopy(bag.array(prefix + ".rewards"), 0, rewards, 0, capacity);
        float[] a = bag.array(prefix + ".actions");
        float[] t = bag.array(prefix + ".terminated");
        for (int i = 0; i < capacity; i++) {
            actions[i] = (int) a[i];
            terminated[i] = t[i] != 0f;
        }
        next = bag.getInt(prefix + ".next");
        size = bag.getInt(prefix + ".size");
        return true;
    }

    /** Transition at logical index {@code i} (0 = oldest), for tests and inspection. */
    public float reward(int i) {
        return rewards[physical(i)];
    }

    public int action(int i) {
        return actions[physical(i)];
    }

    private int physical(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index " + i + " outside [0, " + size + ")");
        }
        return size < capacity ? i : (next + i) % capacity;
    }
}
