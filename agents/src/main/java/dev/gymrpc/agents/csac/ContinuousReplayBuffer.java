package dev.gymrpc.agents.csac;

import dev.gymrpc.agents.io.StateBag;
import dev.gymrpc.agents.util.Rng;

/**
 * Circular replay buffer of continuous-action transitions {@code (s, a, r, s', terminated)} with action
 * vectors, in flat float arrays. The shared {@code buffer.ReplayBuffer} stores one int action per
 * transition; this is its counterpart for Box actions, kept in this package so the discrete agents'
 * buffer (and its checkpoints) stay as they are. As there, only {@code terminated} is stored: truncated
 * transitions are bootstrapped.
 */
public final class ContinuousReplayBuffer {

    /** A sampled minibatch in flat row-major arrays; reused between samples. */
    public static final class Batch {
        public final int size;
        public final float[] obs;
        public final float[] actions;
        public final float[] rewards;
        public final float[] nextObs;
        public final float[] terminated;

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
    private final float[] obs;
    private final float[] actions;
    private final float[] rewards;
    private final float[] nextObs;
    private final float[] terminated;
    private int next;
    private int size;

    public ContinuousReplayBuffer(int capacity, int obsDim, int actDim) {
        if (capacity < 1 || obsDim < 1 || actDim < 1) {
            throw new IllegalArgumentException("capacity, obsDim and actDim must be >= 1, got " + capacity + ", "
                    + obsDim + ", " + actDim);
        }
        this.capacity = capacity;
        this.obsDim = obsDim;
        this.actDim = actDim;
        obs = new float[Math.multiplyExact(capacity, obsDim)];
        nextObs = new float[capacity * obsDim];
        actions = new float[Math.multiplyExact(capacity, actDim)];
        rewards = new float[capacity];
        terminated = new float[capacity];
    }

    public void add(float[] o, float[] action, float reward, float[] nextO, boolean term) {
        System.arraycopy(o, 0, obs, next * obsDim, obsDim);
        System.arraycopy(nextO, 0, nextObs, next * obsDim, obsDim);
        System.arraycopy(action, 0, actions, next * actDim, actDim);
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

    /** The action vector of logical transition {@code i} (0 = oldest), for tests. */
    public float[] action(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index " + i + " outside [0, " + size + ")");
        }
        int p = size < capacity ? i : (next + i) % capacity;
        float[] a = new float[actDim];
        System.arraycopy(actions, p * actDim, a, 0, actDim);
        return a;
    }

    /** Adds the whole buffer to a checkpoint (capacity x (2 obsDim + actDim + 2) floats). */
    public void save(StateBag bag, String prefix) {
        bag.putArray(prefix + ".obs", obs).putArray(prefix + ".next_obs", nextObs).putArray(prefix + ".actions", actions)
                .putArray(prefix + ".rewards", rewards).putArray(prefix + ".terminated", terminated);
        bag.put(prefix + ".next", next).put(prefix + ".size", size).put(prefix + ".capacity", capacity)
                .put(prefix + ".act_dim", actDim);
    }

    /** Restores a buffer saved by {@link #save}; returns false (leaving it as it is) if the checkpoint has none. */
    public boolean restore(StateBag bag, String prefix) {
        if (!bag.has(prefix + ".obs")) {
            return false;
        }
        if (bag.getInt(prefix + ".capacity") != capacity || bag.getInt(prefix + ".act_dim") != actDim) {
            throw new IllegalArgumentException("checkpointed replay buffer has capacity " + bag.getInt(prefix + ".capacity")
                    + " and " + bag.getInt(prefix + ".act_dim") + " action dimensions; this run has " + capacity + " and " + actDim);
        }
        System.arraycopy(bag.array(prefix + ".obs"), 0, obs, 0, obs.length);
        System.arraycopy(bag.array(prefix + ".next_obs"), 0, nextObs, 0, nextObs.length);
        System.arraycopy(bag.array(prefix + ".actions"), 0, actions, 0, actions.length);
        System.arraycopy(bag.array(prefix + ".rewards"), 0, rewards, 0, capacity);
        System.arraycopy(bag.array(prefix + ".terminated"), 0, terminated, 0, capacity);
        next = bag.getInt(prefix + ".next");
        size = bag.getInt(prefix + ".size");
        return true;
    }
}
