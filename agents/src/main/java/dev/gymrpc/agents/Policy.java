package dev.gymrpc.agents;

import dev.gymrpc.agents.nn.Categorical;
import dev.gymrpc.agents.nn.FastForward;
import dev.gymrpc.agents.util.Rng;
import java.util.Map;

/**
 * A trained softmax policy over a discrete action space: the actor's weights plus the provenance needed
 * to reproduce it (full algorithm config, env id and options, seed, library versions).
 *
 * <p>Acting runs on a plain-Java forward pass ({@link FastForward}), no ND4J: a single observation costs
 * a few microseconds. Instances are not thread-safe (scratch buffers and the sampling generator); give
 * each thread its own {@link #copy()}.
 */
public final class Policy {

    /** Actions for a batch, and the full action distributions (row-major {@code batch x numActions}). */
    public record Actions(int[] actions, float[] probabilities, int numActions) {
    }

    private final AlgoConfig config;
    private final String envId;
    private final Map<String, Object> envOptions;
    private final long seed;
    private final Map<String, String> versions;
    private final FastForward net;
    private final int obsDim;
    private final int numActions;
    private final float[] logits;
    private final float[] logp;
    private final float[] probs;
    private Rng rng;

    public Policy(AlgoConfig config, String envId, Map<String, Object> envOptions, long seed, int[] sizes, float[] params,
                  Map<String, String> versions) {
        this.config = config;
        this.envId = envId;
        this.envOptions = Map.copyOf(envOptions);
        this.seed = seed;
        this.versions = Map.copyOf(versions);
        this.net = new FastForward(sizes, params);
        this.obsDim = sizes[0];
        this.numActions = sizes[sizes.length - 1];
        this.logits = new float[numActions];
        this.logp = new float[numActions];
        this.probs = new float[numActions];
        this.rng = new Rng(seed ^ 0x5DEECE66DL);
    }

    /** The greedy/stochastic policy of a training run's current actor network (weights copied). */
    public static Policy ofActor(AlgoConfig config, TrainRequest request, dev.gymrpc.agents.nn.Mlp actor) {
        return new Policy(config, request.envId(), request.envOptions(), request.seed(), actor.sizes(),
                actor.paramsCopy(), RunContext.versions());
    }

    /** An independent copy (same weights, fresh sampling generator seeded like this one's). */
    public Policy copy() {
        return new Policy(config, envId, envOptions, seed, net.sizes(), net.params(), versions);
    }

    /** Re-seeds the generator used for stochastic actions. */
    public void reseed(long s) {
        this.rng = new Rng(s);
    }

    /** Saves weights, full config, env id/options, seed and versions to a zip ({@link dev.gymrpc.agents.io.ModelIO}). */
    public void save(java.nio.file.Path file) throws java.io.IOException {
        dev.gymrpc.agents.io.ModelIO.save(this, file);
    }

    /** Loads a policy saved by {@link #save}. */
    public static Policy load(java.nio.file.Path file) throws java.io.IOException {
        return dev.gymrpc.agents.io.ModelIO.load(file);
    }

    /** Samples (or argmaxes, if {@code deterministic}) the action for one observation. */
    public int act(float[] obs, boolean deterministic) {
        return act(obs, deterministic, rng);
    }

    /** As {@link #act(float[], boolean)} with the caller's generator. */
    public int act(float[] obs, boolean deterministic, Rng r) {
        checkObs(obs.length, 1);
        net.forward(obs, 0, logits, 0);
        if (deterministic) {
            return Categorical.argmax(logits, 0, numActions);
        }
        Categorical.logSoftmax(logits, 1, numActions, logp, probs);
        return r.categorical(probs, 0, numActions);
    }

    /**
     * Actions for {@code batch} observations laid out row by row in {@code flatObs}, with their
     * probabilities.
     */
    public Actions act(float[] flatObs, int batch, boolean deterministic) {
        checkObs(flatObs.length, batch);
        int[] actions = new int[batch];
        float[] p = new float[batch * numActions];
        for (int i = 0; i < batch; i++) {
            net.forward(flatObs, i * obsDim, logits, 0);
            Categorical.logSoftmax(logits, 1, numActions, logp, probs);
            System.arraycopy(probs, 0, p, i * numActions, numActions);
            actions[i] = deterministic ? Categorical.argmax(logits, 0, numActions) : rng.categorical(probs, 0, numActions);
        }
        return new Actions(actions, p, numActions);
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

    public int observationSize() {
        return obsDim;
    }

    public int numActions() {
        return numActions;
    }

    /** Layer widths of the actor, input first. */
    public int[] sizes() {
        return net.sizes();
    }

    /** A copy of the actor's flat parameter vector (layout of {@code Mlp}). */
    public float[] parameters() {
        return net.params();
    }
}
