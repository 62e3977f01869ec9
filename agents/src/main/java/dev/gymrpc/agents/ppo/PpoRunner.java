package dev.gymrpc.agents.ppo;

import dev.gymrpc.agents.ActionHead;
import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.CheckpointOptions;
import dev.gymrpc.agents.Policy;
import dev.gymrpc.agents.Runner;
import dev.gymrpc.agents.io.StateBag;
import dev.gymrpc.agents.RunContext;
import dev.gymrpc.agents.TrainRequest;
import dev.gymrpc.agents.buffer.Advantages;
import dev.gymrpc.agents.util.Rng;
import dev.gymrpc.envs.AutoresetMode;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.Step;
import dev.gymrpc.envs.VectorEnv;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Collects PPO rollouts and hands them to {@link Ppo#update}. Two modes:
 * <ul>
 *   <li>episodic ({@code rolloutSteps = 0}, the paper): one whole episode of one env per update,
 *       Monte-Carlo returns standardised per episode, {@code A = G_std - V(s)} then standardised;</li>
 *   <li>fixed-length ({@code numEnvs x rolloutSteps}) over a {@link VectorEnv} with same-step autoreset;
 *       a truncated step's reward gets {@code + gamma V(final_obs)} (bootstrap through truncation, as
 *       SB3 does) before GAE or MC.</li>
 * </ul>
 * A {@link RolloutHook} lets a PPO variant change the rewards the returns use and the advantages
 * (soft PPO); without one ({@code null}) nothing is computed for it.
 */
public final class PpoRunner implements Runner {

    private final PpoConfig cfg;
    private final AlgoConfig recorded;
    private final RolloutHook hook;
    private final RunContext ctx;
    private final ActionHead head;
    private Rng actRng;
    private Rng updateRng;
    private final Ppo agent;

    public PpoRunner(PpoConfig cfg, RunContext ctx) {
        this(cfg, ctx, cfg, null);
    }

    /**
     * A runner for a PPO variant: {@code cfg} drives the rollouts and the update, {@code recorded} is the
     * variant's own config written into its policies, {@code hook} (may be null) changes rewards and
     * advantages.
     */
    public PpoRunner(PpoConfig cfg, RunContext ctx, AlgoConfig recorded, RolloutHook hook) {
        this.cfg = cfg;
        this.recorded = recorded;
        this.hook = hook;
        this.ctx = ctx;
        Rng master = new Rng(ctx.request().seed());
        Rng nets = master.split();
        this.actRng = master.split();
        this.updateRng = master.split();
        try (Env<?> probe = ctx.makeEnv()) {
            if (!(probe.actionSpace() instanceof Discrete d)) {
                throw new IllegalArgumentException("PPO here needs a Discrete action space; " + probe.spec().id()
                        + " has " + probe.actionSpace());
            }
            this.head = ActionHead.categorical(d);
            this.agent = new Ppo(cfg, probe.observationSpace().flatSize(), d.n(), nets);
        }
    }

    public Ppo agent() {
        return agent;
    }

    @Override
    public Policy policy() {
        return Policy.ofActor(recorded, ctx.request(), head, agent.actor());
    }

    @Override
    public void save(StateBag bag, CheckpointOptions options) {
        bag.put("rng.act", actRng.state()).put("rng.update", updateRng.state());
        agent.save(bag);
    }

    @Override
    public void restore(StateBag bag) {
        agent.restore(bag);
        actRng = Rng.fromState(bag.getLong("rng.act"));
        updateRng = Rng.fromState(bag.getLong("rng.update"));
    }

    /**
     * Linear learning-rate annealing by env steps: the rollout just collected ends at
     * {@code ctx.envSteps()}; CleanRL uses {@code 1 - (update - 1) / num_updates}, i.e. the fraction of
     * the budget left before this rollout. Returns the fraction applied (1 when off).
     */
    private double anneal() {
        long budget = ctx.request().budget().steps();
        if (!cfg.annealLr() || budget <= 0) {
            return 1.0;
        }
        long before = ctx.envSteps() - (cfg.episodic() ? 0 : (long) cfg.numEnvs() * cfg.rolloutSteps());
        double frac = Math.max(0.0, 1.0 - (double) Math.max(0, before) / budget);
        agent.setLearningRateFraction(frac);
        return frac;
    }

    @Override
    public Policy run() {
        TrainRequest req = ctx.request();
        try {
            if (cfg.episodic()) {
                try (Env<?> env = ctx.makeEnv()) {
                    runEpisodic(env);
                }
            } else {
                try (VectorEnv<?> venv = VectorEnv.make(ctx.registry(), req.envId(), cfg.numEnvs(), req.envOptions(),
                        AutoresetMode.SAME_STEP, 1)) {
                    runVector(venv);
                }
            }
        } finally {
            if (diagEnv != null) {
                diagEnv.close();
                diagEnv = null;
            }
        }
        return policy();
    }

    private void runEpisodic(Env<?> env) {
        boolean first = true;
        while (!ctx.done()) {
            float[] obs = env.reset(first ? ctx.firstResetSeed() : null, Map.of()).observation();
            first = false;
            Episode e = collectEpisode(env, obs, actRng, true);
            if (e == null) {
                return; // the budget ended inside the episode
            }
            ctx.episodeEnded(e.ret, e.len, e.disc, e.terminated);
            double frac = anneal();
            dev.gymrpc.agents.diag.GradientQuality gq = ctx.gradientQualityDue();
            if (gq != null) {
                measureOnEpisodes(gq);
            }
            Map<String, Double> m = agent.update(e.rollout, updateRng);
            if (gq != null) {
                gq.report(m);
            }
            m.put("charts/learning_rate_frac", frac);
            ctx.updated(m, agent.actorFinite());
        }
    }

    /** One whole episode of the current policy as a rollout, with its return, discounted return and end. */
    private record Episode(Rollout rollout, double ret, double disc, int len, boolean terminated) {
    }

    /**
     * Plays one episode from {@code obs} with actions sampled from {@code rng}. For training
     * ({@code counted}) each step counts in the run's budget, and null is returned if the budget ends inside
     * the episode; the diagnostics' episodes are not counted.
     */
    private Episode collectEpisode(Env<?> env, float[] obs, Rng rng, boolean counted) {
        int start = ((Discrete) env.actionSpace()).start();
        int d = env.observationSpace().flatSize();
        float[] logp1 = new float[1];
        List<float[]> obsList = new ArrayList<>();
        int cap = 256;
        int[] actions = new int[cap];
        float[] logps = new float[cap];
        float[] values = new float[cap];
        float[] rewards = new float[cap];
        int len = 0;
        double ret = 0;
        double disc = 0;
        double g = 1;
        while (true) {
            if (len == cap) {
                cap *= 2;
                actions = Arrays.copyOf(actions, cap);
                logps = Arrays.copyOf(logps, cap);
                values = Arrays.copyOf(values, cap);
                rewards = Arrays.copyOf(rewards, cap);
            }
            int a = agent.act(obs, 0, false, rng, logp1);
            obsList.add(obs);
            actions[len] = a;
            logps[len] = logp1[0];
            values[len] = agent.value(obs, 0);
            Step s = env.stepObject(start + a);
            if (counted) {
                ctx.addSteps(1);
            }
            ret += s.reward();
            disc += g * s.reward();
            g *= cfg.gamma();
            rewards[len] = (float) (hook == null ? s.reward() : hook.reward(s.reward(), agent.lastActEntropy()));
            len++;
            obs = s.observation();
            if (s.terminated() || s.truncated()) {
                return new Episode(episodeRollout(obsList, d, actions, logps, values, rewards, len), ret, disc, len,
                        s.terminated());
            }
            if (counted && ctx.done()) {
                return null;
            }
        }
    }

    private void runVector(VectorEnv<?> venv) {
        int nEnv = cfg.numEnvs();
        int steps = cfg.rolloutSteps();
        int n = nEnv * steps;
        int d = venv.singleObservationSpace().flatSize();
        int start = ((Discrete) venv.singleActionSpace()).start();
        float[] obs = venv.reset(ctx.firstResetSeed()).observations();
        double[] epRet = new double[nEnv];
        double[] epDisc = new double[nEnv];
        double[] epG = new double[nEnv];
        Arrays.fill(epG, 1);
        int[] epLen = new int[nEnv];
        float[] logp1 = new float[1];
        List<Object> actions = new ArrayList<>(nEnv);
        for (int e = 0; e < nEnv; e++) {
            actions.add(start);
        }
        @SuppressWarnings("unchecked")
        VectorEnv<Object> v = (VectorEnv<Object>) venv;
        while (!ctx.done()) {
            float[] rObs = new float[n * d];
            int[] rAct = new int[n];
            float[] rLogp = new float[n];
            float[] rVal = new float[n];
            float[] rRew = new float[n];
            boolean[] rEnd = new boolean[n];
            float[] rEnt = hook == null ? null : new float[n];
            for (int t = 0; t < steps; t++) {
                for (int e = 0; e < nEnv; e++) {
                    int i = t * nEnv + e;
                    int a = agent.act(obs, e * d, false, actRng, logp1);
                    System.arraycopy(obs, e * d, rObs, i * d, d);
                    rAct[i] = a;
                    rLogp[i] = logp1[0];
                    if (hook != null) {
                        rEnt[i] = (float) agent.lastActEntropy();
                    }
                    rVal[i] = agent.value(obs, e * d);
                    actions.set(e, start + a);
                }
                VectorEnv.VectorStep s = v.step(actions);
                ctx.addSteps(nEnv);
                for (int e = 0; e < nEnv; e++) {
                    int i = t * nEnv + e;
                    double rew = s.rewards()[e];
                    epRet[e] += rew;
                    epDisc[e] += epG[e] * rew;
                    epG[e] *= cfg.gamma();
                    epLen[e]++;
                    boolean term = s.terminated()[e];
                    boolean trunc = s.truncated()[e];
                    if (hook != null) {
                        rew = hook.reward(rew, rEnt[i]);
                    }
                    if (trunc && !term) {
                        Object fin = s.infos().get(e).get("final_obs");
                        if (fin instanceof float[] fo) {
                            rew += cfg.gamma() * agent.value(fo, 0);
                        }
                    }
                    rRew[i] = (float) rew;
                    rEnd[i] = term || trunc;
                    if (term || trunc) {
                        ctx.episodeEnded(epRet[e], epLen[e], epDisc[e], term);
                        epRet[e] = 0;
                        epDisc[e] = 0;
                        epG[e] = 1;
                        epLen[e] = 0;
                    }
                }
                obs = s.observations();
                // Stop mid-rollout only if cut short; a rollout that completes on the budget still gets its update.
                if (t < steps - 1 && ctx.done()) {
                    return;
                }
            }
            float[] last = new float[nEnv];
            for (int e = 0; e < nEnv; e++) {
                last[e] = agent.value(obs, e * d);
            }
            float[] adv = new float[n];
            float[] ret = new float[n];
            if (cfg.advantage() == PpoConfig.Advantage.GAE) {
                Advantages.gae(rRew, rVal, rEnd, last, steps, nEnv, cfg.gamma(), cfg.gaeLambda(), adv, ret);
            } else {
                // MC over the rollout: lambda = 1 GAE gives G_t - V(s_t) with bootstrap at the rollout end.
                Advantages.gae(rRew, rVal, rEnd, last, steps, nEnv, cfg.gamma(), 1.0, adv, ret);
            }
            if (hook != null) {
                hook.advantages(adv, rLogp, n, 1);
            }
            Rollout r = new Rollout(n, d, rObs, rAct, rLogp, rVal, adv, ret);
            double frac = anneal();
            dev.gymrpc.agents.diag.GradientQuality gq = ctx.gradientQualityDue();
            if (gq != null) {
                measureOnRollout(gq, r);
            }
            Map<String, Double> m = agent.update(r, updateRng);
            if (gq != null) {
                gq.report(m);
            }
            m.put("charts/learning_rate_frac", frac);
            ctx.updated(m, agent.actorFinite());
        }
    }

    /** The samples of one finished episode with its returns and advantages (the paper's per-episode processing). */
    private Rollout episodeRollout(List<float[]> obsList, int d, int[] actions, float[] logps, float[] values, float[] rewards,
                                   int len) {
        float[] flat = new float[len * d];
        for (int t = 0; t < len; t++) {
            System.arraycopy(obsList.get(t), 0, flat, t * d, d);
        }
        float[] vals = Arrays.copyOf(values, len);
        float[] adv = new float[len];
        float[] targets = new float[len];
        if (cfg.advantage() == PpoConfig.Advantage.MC) {
            targets = Advantages.discountedReturns(rewards, len, cfg.gamma());
            double unitsPerReward = hook == null ? 1 : 1 / (std(targets, len) + 1e-10);
            Advantages.standardise(targets, 0, len, 1e-10);
            for (int t = 0; t < len; t++) {
                adv[t] = targets[t] - vals[t];
            }
            if (hook != null) {
                hook.advantages(adv, logps, len, unitsPerReward);
            }
            if (cfg.normalizeAdvantages()) {
                Advantages.standardise(adv, 0, len, 1e-10);
            }
        } else {
            boolean[] ends = new boolean[len];
            ends[len - 1] = true;
            Advantages.gae(rewards, vals, ends, new float[] {0f}, len, 1, cfg.gamma(), cfg.gaeLambda(), adv, targets);
            if (hook != null) {
                hook.advantages(adv, logps, len, 1);
            }
        }
        return new Rollout(len, d, flat, Arrays.copyOf(actions, len), Arrays.copyOf(logps, len), vals, adv, targets);
    }

    /**
     * Gradient quality of a fixed-length rollout update: each minibatch gradient is taken on
     * {@code minibatch_size} samples drawn uniformly with replacement from this rollout (with a full-batch
     * config, a bootstrap resample of it), at the parameters of the update's first step.
     */
    private void measureOnRollout(dev.gymrpc.agents.diag.GradientQuality gq, Rollout r) {
        int b = agent.minibatchSize(r.n());
        gq.measure(new String[] {"critic", "actor"},
                new int[] {agent.critic().numParams(), agent.actor().numParams()},
                new dev.gymrpc.agents.aug.GradientPipeline[] {agent.criticPipeline(), agent.actorPipeline()},
                (g, out) -> agent.probeGradients(r, draw(g, r.n(), b), out[0], out[1]));
    }

    private Env<?> diagEnv;

    /**
     * Gradient quality of an episodic (one episode per update) update: the estimator's independent draws
     * are fresh episodes of the current policy on a separate env (reset seeds and actions from the
     * diagnostics' generator; no counters, listener or training generator touched), processed exactly as
     * a training episode, with {@code minibatch_size} samples drawn from it if that is set.
     */
    private void measureOnEpisodes(dev.gymrpc.agents.diag.GradientQuality gq) {
        if (diagEnv == null) {
            diagEnv = ctx.makeEnv();
        }
        gq.measure(new String[] {"critic", "actor"},
                new int[] {agent.critic().numParams(), agent.actor().numParams()},
                new dev.gymrpc.agents.aug.GradientPipeline[] {agent.criticPipeline(), agent.actorPipeline()},
                (g, out) -> {
                    float[] first = diagEnv.reset(g.nextLong(), Map.of()).observation();
                    Rollout e = collectEpisode(diagEnv, first, g, false).rollout();
                    int b = cfg.minibatchSize();
                    int[] idx = b == 0 ? all(e.n()) : draw(g, e.n(), Math.min(b, e.n()));
                    agent.probeGradients(e, idx, out[0], out[1]);
                });
    }

    private static int[] draw(Rng g, int n, int b) {
        int[] idx = new int[b];
        for (int k = 0; k < b; k++) {
            idx[k] = g.nextInt(n);
        }
        return idx;
    }

    private static int[] all(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    /** Population standard deviation of {@code x[0, n)} (as {@link Advantages#standardise} computes it). */
    private static double std(float[] x, int n) {
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += x[i];
        }
        mean /= n;
        double var = 0;
        for (int i = 0; i < n; i++) {
            var += (x[i] - mean) * (x[i] - mean);
        }
        return Math.sqrt(var / n);
    }
}
