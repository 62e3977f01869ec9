package dev.gymrpc.agents;

import java.util.List;

/** An algorithm's immutable configuration: {@code SacConfig} or {@code PpoConfig} (the only implementations). */
public interface AlgoConfig {

    /** Short algorithm name used in saved models and on the wire: {@code "sac"} or {@code "ppo"}. */
    String algorithm();

    /** Hidden layer widths of the actor (and critics). */
    List<Integer> hidden();

    Augmentations augmentations();

    /** Discount factor gamma. */
    double gamma();
}
