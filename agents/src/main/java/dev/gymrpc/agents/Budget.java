package dev.gymrpc.agents;

/**
 * When training stops: after {@code steps} env steps or {@code episodes} finished episodes, whichever
 * comes first; 0 means "no limit" for that measure, but at least one must be set.
 */
public record Budget(long steps, long episodes) {

    public Budget {
        if (steps < 0 || episodes < 0) {
            throw new IllegalArgumentException("budget steps and episodes must be >= 0 (0 = no limit), got "
                    + steps + ", " + episodes);
        }
        if (steps == 0 && episodes == 0) {
            throw new IllegalArgumentException("a budget needs steps > 0 or episodes > 0");
        }
    }

    public static Budget steps(long n) {
        return new Budget(n, 0);
    }

    public static Budget episodes(long n) {
        return new Budget(0, n);
    }

    boolean reached(long stepsDone, long episodesDone) {
        return (steps > 0 && stepsDone >= steps) || (episodes > 0 && episodesDone >= episodes);
    }
}
