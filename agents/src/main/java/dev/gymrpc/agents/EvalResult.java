package dev.gymrpc.agents;

import java.util.Arrays;

/**
 * Per-episode returns, lengths, discounted returns and whether each episode terminated (rather than
 * being truncated), with mean and (population) standard deviation.
 */
public record EvalResult(double[] returns, int[] lengths, double[] discountedReturns, boolean[] terminated) {

    public EvalResult {
        returns = returns.clone();
        lengths = lengths.clone();
        discountedReturns = discountedReturns.clone();
        terminated = terminated == null ? new boolean[returns.length] : terminated.clone();
    }

    /**
     * Fraction of successful episodes: return at least {@code rewardThreshold} where the env has one
     * (LunarLander 200, CartPole 475), else terminated before the time limit (FourRooms: reached the goal).
     */
    public double successRate(double rewardThreshold) {
        if (returns.length == 0) {
            return Double.NaN;
        }
        int ok = 0;
        for (int i = 0; i < returns.length; i++) {
            if (Double.isNaN(rewardThreshold) ? terminated[i] : returns[i] >= rewardThreshold) {
                ok++;
            }
        }
        return (double) ok / returns.length;
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
