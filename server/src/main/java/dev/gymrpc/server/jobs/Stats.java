package dev.gymrpc.server.jobs;

/**
 * Summary statistics across seeds, for benchmark tables and plots: mean, sample standard deviation and
 * the two-sided 95% confidence interval of the mean, {@code mean +- t(0.975, n-1) * sd / sqrt(n)}
 * (Student's t, as used for the shaded bands of the paper's learning curves over 3-5 seeds; with so
 * few seeds the normal quantile 1.96 would understate the interval by up to a factor of 6.5).
 */
public final class Stats {

    /** t(0.975, df) for df = 1..30 (standard tables, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2). */
    private static final double[] T975 = {
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    };

    private Stats() {
    }

    /** Mean, sample sd and 95% CI of some values. */
    public record Summary(int n, double mean, double std, double ci95Low, double ci95High) {
        /** Half-width of the confidence interval. */
        public double halfWidth() {
            return (ci95High - ci95Low) / 2;
        }
    }

    /** t(0.975, df); for df > 30 a Cornish-Fisher expansion around 1.96 (error < 1e-3). */
    public static double t975(int df) {
        if (df < 1) {
            return Double.NaN;
        }
        if (df <= T975.length) {
            return T975[df - 1];
        }
        double z = 1.959964;
        double g1 = (z * z * z + z) / 4;
        double g2 = (5 * Math.pow(z, 5) + 16 * z * z * z + 3 * z) / 96;
        return z + g1 / df + g2 / ((double) df * df);
    }

    /**
     * Summarises {@code values}: for one value the interval collapses to the value (no spread can be
     * estimated); for none every field is NaN.
     */
    public static Summary summarize(double[] values) {
        int n = values.length;
        if (n == 0) {
            return new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= n;
        if (n == 1) {
            return new Summary(1, mean, 0, mean, mean);
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(ss / (n - 1));
        double h = t975(n - 1) * sd / Math.sqrt(n);
        return new Summary(n, mean, sd, mean - h, mean + h);
    }

    /** Mean of the values, NaN if none. */
    public static double mean(double[] values) {
        return summarize(values).mean();
    }

    /** Population standard deviation (divides by n), as SB3's evaluate_policy reports std_reward. */
    public static double populationStd(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double m = mean(values);
        double ss = 0;
        for (double v : values) {
            ss += (v - m) * (v - m);
        }
        return Math.sqrt(ss / values.length);
    }
}
