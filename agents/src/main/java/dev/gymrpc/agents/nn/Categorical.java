package dev.gymrpc.agents.nn;

/** Row-wise softmax / log-softmax / entropy of logits in flat row-major float arrays (plain Java; |A| is small). */
public final class Categorical {

    private Categorical() {
    }

    /**
     * For each of {@code rows} rows of {@code n} logits: {@code logp = logits - logsumexp}, {@code p = exp(logp)}.
     */
    public static void logSoftmax(float[] logits, int rows, int n, float[] logp, float[] p) {
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            float max = Float.NEGATIVE_INFINITY;
            for (int a = 0; a < n; a++) {
                max = Math.max(max, logits[o + a]);
            }
            double sum = 0;
            for (int a = 0; a < n; a++) {
                sum += Math.exp(logits[o + a] - max);
            }
            float lse = (float) (max + Math.log(sum));
            for (int a = 0; a < n; a++) {
                float lp = logits[o + a] - lse;
                logp[o + a] = lp;
                p[o + a] = (float) Math.exp(lp);
            }
        }
    }

    /** Entropy of row {@code r}: {@code -sum p log p}. */
    public static double entropy(float[] p, float[] logp, int r, int n) {
        double h = 0;
        for (int a = 0; a < n; a++) {
            h -= p[r * n + a] * logp[r * n + a];
        }
        return h;
    }

    /** Index of the largest value in row {@code r} (first on ties). */
    public static int argmax(float[] v, int r, int n) {
        int best = 0;
        for (int a = 1; a < n; a++) {
            if (v[r * n + a] > v[r * n + best]) {
                best = a;
            }
        }
        return best;
    }
}
