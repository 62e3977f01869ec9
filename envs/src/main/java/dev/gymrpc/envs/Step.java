package dev.gymrpc.envs;

import java.util.Map;

/**
 * The result of {@link Env#step}, as Gymnasium's 5-tuple.
 *
 * @param terminated the MDP reached a terminal state (do not bootstrap)
 * @param truncated  the episode was cut from outside, e.g. by the time limit (bootstrap); both flags
 *                   may be true and they are never merged
 */
public record Step(float[] observation, double reward, boolean terminated, boolean truncated,
                   Map<String, Object> info) {

    /** Whether the episode is over for either reason. */
    public boolean done() {
        return terminated || truncated;
    }
}
