package dev.gymrpc.agents;

import java.util.Arrays;

/** Per-episode returns and lengths of an evaluation, with mean and (population) standard deviation. */
public record EvalResult(double[] returns, int[] lengths, double[] discountedReturns) {

    public EvalResult {
        returns = returns.clone();
        lengths = lengths.clone();
        discountedReturns = discountedReturns.clone();
    }

    public int episodes() {
        return returns.length;
    }

    public double mean() {
        return Arrays.stream(returns).average().orElse(Double.NaN);
    }

    public double std() {
        double m = mean();
        return Math.sqrt(Arrays.stream(returns).map(r -> (r - m) * (r - m)).average().orElse(Double.NaN));
    }

    public double meanLength() {
        return Arrays.stream(lengths).average().orElse(Double.NaN);
    }

    public double meanDiscounted() {
        return Arrays.stream(discountedReturns).average().orElse(Double.NaN);
    }

    @Override
    public String toString() {
        return String.format("EvalResult{episodes=%d, mean=%.3f, std=%.3f, meanLength=%.1f, meanDiscounted=%.3f}",
                episodes(), mean(), std(), meanLength(), meanDiscounted());
    }
}
