package dev.gymrpc.envs;

import java.util.List;
import java.util.function.Function;

/**
 * Registration of an env, as Gymnasium's {@code EnvSpec}.
 *
 * @param id              e.g. {@code "LunarLander-v3"}
 * @param factory         builds an un-wrapped env from validated options
 * @param maxEpisodeSteps time limit applied by {@link EnvRegistry#make} ({@code 0} = none)
 * @param rewardThreshold return at which the task counts as solved ({@code NaN} = none)
 * @param options         keyword options accepted by {@code make}
 * @param description     one line for listings
 */
public record EnvSpec(String id, Function<Options, Env<?>> factory, int maxEpisodeSteps, double rewardThreshold,
                      List<OptionSpec> options, String description) {

    public EnvSpec {
        options = List.copyOf(options);
        if (maxEpisodeSteps < 0) {
            throw new IllegalArgumentException("maxEpisodeSteps must be >= 0");
        }
    }

    /** Whether a time limit is registered. */
    public boolean hasTimeLimit() {
        return maxEpisodeSteps > 0;
    }
}
