package dev.gymrpc.agents;

import java.util.List;

/**
 * An algorithm's immutable configuration: one record per {@link Algorithm} ({@code PpoConfig},
 * {@code SacConfig}, {@code ContinuousSacConfig}, {@code SoftPpoConfig}, ...), its components annotated with
 * {@link dev.gymrpc.agents.config.Param}.
 */
public interface AlgoConfig {

    /** The {@link Algorithm#name()} it configures, used in saved models and on the wire (e.g. {@code "ppo"}). */
    String algorithm();

    /** Hidden layer widths of the actor (and critics). */
    List<Integer> hidden();

    Augmentations augmentations();

    /** Discount factor gamma. */
    double gamma();
}
