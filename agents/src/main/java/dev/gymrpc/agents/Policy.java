package dev.gymrpc.agents;

import dev.gymrpc.agents.nn.Categorical;
import dev.gymrpc.agents.nn.FastForward;
import dev.gymrpc.agents.util.Rng;
import java.util.Map;

/**
 * A trained policy: the actor's weights, the {@link ActionHead} that turns its outputs into actions, and
 * the provenance needed to reproduce it (algorithm, full config, env id and options, seed, library
 * versions). The one policy type of the project: training, evaluation, the Act and Evaluate rpcs and
 * model files all use it.
 *
 * <p>Acting runs on a plain-Java forward pass ({@link FastForward}), no ND4J: a single observation costs
 * a few microseconds. Instances are not thread-safe (scratch buffers and the sampling generator); give
 * each thread its own {@link #copy()}.
 */
public final class Policy {

    /**
     * Actions for a batch. Discrete: {@code discrete} holds env actions (with the space's start added) and
     * {@code probabilities} the full distributions ({@code batch x n}, row-major). Continuous:
     * {@code continuous} holds {@code batch x n} actions (row-major) and {@code probabilities} is empty.
     */
    public record Actions(int batch, int[] discrete, float[] continuous, float[] probabilities, int n) {

        /** The discrete actions (null for a continuous head). */
        public int[] actions() {
            return discrete;
        }

        /** Env action {@code i}: an Integer (discrete) or a float[] (continuous). */
        public Object action(int i) {
            if (discrete != null) {
                return discrete[i];
            }
            float[] a = new float[n];
            System.arraycopy(continuous, i * n, a, 0, n);
            return a;
        }
    }

    private final AlgoConfig config;
    private final String envId;
    private final Map<String, Object> envOptions;
    private final long seed;
    private final Map<String, String> versions;
    private final FastForward net;
    private final ActionHead head;
    private final int obsDim;
    private final float[] out;
    private final float[] logp;
    private final float[] probs;
    private Rng rng;

    public Policy(AlgoConfig config, String envId, Map<String, Object> envOptions, long seed, int[] sizes, float[] params,
                  ActionHead head, Map<String, String> versions) {
        this.config = config;
        this.envId = envId;
        this.envOptions = Map.copyOf(envOptions);
        this.seed = seed;
        this.versions = Map.copyOf(versions);
        this.net = new FastForward(sizes, params);
        this.head = head;
        this.obsDim = sizes[0];
        if (sizes[sizes.length - 1] != head.outputs()) {
            throw new IllegalArgumentException("the actor has " + sizes[sizes.length - 1] + " outputs but a "
                    + head.kind() + " head over " + head.n() + " actions reads " + head.outputs());
        }
        this.out = new float[head.outputs()];
        this.logp = new float[head.n()];
        this.probs = new float[head.n()];
        this.rng = new Rng(seed ^ 0x5DEECE66DL);
    }

    /** The policy of a training run's current actor network (weights copied). */
    public static Policy ofActor(AlgoConfig config, TrainRequest request, ActionHead head, dev.gymrpc.agents.nn.Mlp actor) {
        return new Policy(config, request.envId(), request.envOptions(), request.seed(), actor.sizes(),
                actor.paramsCopy(), head, RunContext.versions());
    }

    /** An independent copy (same weights, fresh sampling generator seeded like this one's). */
    public Policy copy() {
        return new Policy(config, envId, envOptions, seed, net.sizes(), net.params(), head, versions);
    }

    /** Re-seeds the generator used for stochastic actions. */
    public void reseed(long s) {
        this.rng = new Rng(s);
    }

    /** Saves weights, head, full config, env id/options, seed and versions ({@link dev.gymrpc.agents.io.ModelIO}). */
    public void save(java.nio.file.Path file) throws java.io.IOException {
        dev.gymrpc.agents.io.ModelIO.save(this, file);
    }

    /** Loads a policy saved by {@link #save}. */
    public static Policy load(java.nio.file.Path file) throws java.io.IOException {
        return dev.gymrpc.agents.io.ModelIO.load(file);
    }

    /** The discrete env action for one observation, sampled or greedy (discrete heads only). */
    public int act(float[] obs, boolean deterministic) {
        return act(obs, deterministic, rng);
    }

    /** As {@link #act(float[], boolean)} with the caller's generator. */
    public int act(float[] obs, boolean deterministic, Rng r) {
        if (!head.discrete()) {
            throw new IllegalStateException("this policy's actions are continuous; use actObject");
        }
        return (Integer) actObject(obs, deterministic, r);
    }

    /**
     * The env action for one observation: an Integer (discrete) or a new float[] (continuous), sampled
     * from the policy with {@code r} or greedy. This is the draw every evaluation uses.
     */
    public Object actObject(float[] obs, boolean deterministic, Rng r) {
        checkObs(obs.length, 1);
        net.forward(obs, 0, out, 0);
        if (head.discrete()) {
            int n = head.n();
            if (deterministic) {
                return head.start() + Categorical.argmax(out, 0, n);
            }
            Categorical.logSoftmax(out, 1, n, logp, probs);
            return head.start() + r.categorical(probs, 0, n);
        }
        float[] a = new float[head.n()];
        squash(out, a, 0, deterministic, r);
        return a;
    }

    /** As {@link #actObject} with this policy's own generator. */
    public Object actObject(float[] obs, boolean deterministic) {
        return actObject(obs, deterministic, rng);
    }

    /** Actions for {@code batch} observations laid out row by row in {@code flatObs}. */
    public Actions act(float[] flatObs, int batch, boolean deterministic) {
        checkObs(flatObs.length, batch);
        int n = head.n();
        if (head.discrete()) {
            int[] actions = new int[batch];
            float[] p = new float[batch * n];
            for (int i = 0; i < batch; i++) {
                net.forward(flatObs, i * obsDim, out, 0);
                Categorical.logSoftmax(out, 1, n, logp, probs);
                System.arraycopy(probs, 0, p, i * n, n);
                actions[i] = head.start() + (deterministic ? Categorical.argmax(out, 0, n) : rng.categorical(probs, 0, n));
            }
            return new Actions(batch, actions, null, p, n);
        }
        float[] a = new float[batch * n];
        for (int i = 0; i < batch; i++) {
            net.forward(flatObs, i * obsDim, out, 0);
            squash(out, a, i * n, deterministic, rng);
        }
        return new Actions(batch, null, a, new float[0], n);
    }

    /** Raw actor outputs (logits, or means then log-std pre-activations) for one observation. */
    public float[] outputs(float[] obs) {
        checkObs(obs.length, 1);
        float[] o = new float[head.outputs()];
        net.forward(obs, 0, o, 0);
        return o;
    }

    private void squash(float[] o, float[] dst, int off, boolean deterministic, Rng r) {
        int n = head.n();
        for (int j = 0; j < n; j++) {
            double u = o[j];
            if (!deterministic) {
                u += Math.exp(ActionHead.logStd(o[n + j])) * r.nextGaussian();
            }
            dst[off + j] = (float) (head.bias(j) + head.scale(j) * Math.tanh(u));
        }
    }

    private void checkObs(int length, int batch) {
        if (batch < 1 || length != batch * obsDim) {
            throw new IllegalArgumentException("expected " + batch + " observation(s) of " + obsDim
                    + " floats (" + (batch * obsDim) + " values), got " + length);
        }
    }

    public AlgoConfig config() {
        return config;
    }

    /** The algorithm that trained it. */
    public String algorithm() {
        return config.algorithm();
    }

    public String envId() {
        return envId;
    }

    public Map<String, Object> envOptions() {
        return envOptions;
    }

    public long seed() {
        return seed;
    }

    /** Library versions at training time (provenance). */
    public Map<String, String> versions() {
        return versions;
    }

    public ActionHead head() {
        return head;
    }

    public int observationSize() {
        return obsDim;
    }

    /** Number of discrete actions, or action dimensions of a continuous head. */
    public int numActions() {
        return head.n();
    }

    /** Layer widths of the actor, input first. */
    public int[] sizes() {
        return net.sizes();
    }

    /** A copy of the actor's flat parameter vector (layout of {@code Mlp}: per layer W row-major [in, out] then b). */
    public float[] parameters() {
        return net.params();
    }
}
