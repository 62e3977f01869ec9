package dev.gymrpc.server.agent;

import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Discrete;

/**
 * A trained, stored policy that maps observations to action probabilities. Thread-safe: the service
 * calls it from concurrent Act and Evaluate requests.
 */
public interface Policy {

    /** The observation space the policy was trained on. */
    Box observationSpace();

    /** The (discrete) action space it acts in. */
    Discrete actionSpace();

    /**
     * Action probabilities for a batch of observations.
     *
     * @param observations {@code batch} rows of {@code observationSpace().flatSize()} floats
     * @return {@code batch} rows of {@code actionSpace().n()} probabilities, each summing to 1
     */
    float[][] probabilities(float[][] observations);
}
