package dev.gymrpc.server.agent;

import dev.gymrpc.proto.v1.TrainingSpec;

/** Small read-only views of a resolved {@link TrainingSpec}. */
public final class Specs {

    private Specs() {
    }

    /** The run's discount factor (0.99 if the spec has no config, which a resolved spec always has). */
    public static double gamma(TrainingSpec spec) {
        return switch (spec.getConfigCase()) {
            case SAC -> spec.getSac().hasGamma() ? spec.getSac().getGamma() : 0.99;
            case PPO -> spec.getPpo().hasGamma() ? spec.getPpo().getGamma() : 0.99;
            default -> 0.99;
        };
    }
}
