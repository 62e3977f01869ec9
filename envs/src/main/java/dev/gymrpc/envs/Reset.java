package dev.gymrpc.envs;

import java.util.Map;

/** The result of {@link Env#reset}: the first observation of an episode and an info map. */
public record Reset(float[] observation, Map<String, Object> info) {
}
