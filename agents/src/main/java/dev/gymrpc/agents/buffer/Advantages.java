package dev.gymrpc.agents.buffer;

/**
 * Return and advantage estimators (plain Java, analytic unit tests in {@code AdvantagesTest}).
 */
public final class Advantages {

    private Advantages() {
    }

    /** Monte-Carlo returns {@code G_t = r_t + gamma G_{t+1}} of one episode, {@code G_T = 0}. */
    public static float[] discountedReturns(float[] rewards, int length, double gamma) {
        float[] g = new float[length];
        double acc = 0;
        for (int t = length - 1; t >= 0; t--) {
            acc = rewards[t] + gamma * acc;
            g[t] = (float) acc;
        }
        return g;
    }

    /** {@code (x - mean) / (std + eps)} in place over {@code x[from, to)} (population std, as numpy). */
    public static void standardise(float[] x, int from, int to, double eps) {
        int n = to - from;
        if (n <= 0) {
            return;
        }
        double mean = 0;
        for (int i = from; i < to; i++) {
            mean += x[i];
        }
        mean /= n;
        double var = 0;
        for (int i = from; i < to; i++) {
            var += (x[i] - mean) * (x[i] - mean);
        }
        double std = Math.sqrt(var / n);
        for (int i = from; i < to; i++) {
            x[i] = (float) ((x[i] - mean) / (std + eps));
        }
    }

    /**
     * Generalised advantage estimation (Schulman et al. 2016) over a rollout of {@code steps} x {@code envs}
     * (index {@code t * envs + e}). {@code episodeEnd[t*envs+e]} marks that step as the last of its episode
     * (terminated or truncated); truncated steps must already carry the bootstrap {@code gamma V(s_final)}
     * in their reward (SB3's approach), so no episode boundary bootstraps across. {@code lastValues[e]} is
     * V of the observation after the rollout.
     *
     * @param advantages out: advantages, same indexing
     * @param returns    out: {@code advantages + values} (the critic's regression target)
     */
    public static void gae(float[] rewards, float[] values, boolean[] episodeEnd, float[] lastValues, int steps, int envs,
                           double gamma, double lambda, float[] advantages, float[] returns) {
        for (int e = 0; e < envs; e++) {
            double next = 0;
            for (int t = steps - 1; t >= 0; t--) {
                int i = t * envs + e;
                double nextValue = t == steps - 1 ? lastValues[e] : values[i + envs];
                double nonTerminal = episodeEnd[i] ? 0 : 1;
                double delta = rewards[i] + gamma * nextValue * nonTerminal - values[i];
                next = delta + gamma * lambda * nonTerminal * next;
                advantages[i] = (float) next;
                returns[i] = (float) (next + values[i]);
            }
        }
    }

    /** Fraction of the variance of {@code y} that {@code pred} explains: {@code 1 - Var[y - pred] / Var[y]}. */
    public static double explainedVariance(float[] pred, float[] y, int n) {
        double my = 0;
        double md = 0;
        for (int i = 0; i < n; i++) {
            my += y[i];
            md += y[i] - pred[i];
        }
        my /= n;
        md /= n;
        double vy = 0;
        double vd = 0;
        for (int i = 0; i < n; i++) {
            vy += (y[i] - my) * (y[i] - my);
            double d = y[i] - pred[i] - md;
            vd += d * d;
        }
        return vy == 0 ? 0 : 1 - vd / vy;
    }
}
