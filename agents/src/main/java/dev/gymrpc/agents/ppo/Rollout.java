package dev.gymrpc.agents.ppo;

/**
 * The samples of one PPO update in flat arrays: observations (row-major, {@code n x obsDim}), actions,
 * log-probabilities and values at collection time, advantages and the critic's targets.
 */
public record Rollout(int n, int obsDim, float[] obs, int[] actions, float[] logp, float[] values, float[] advantages,
                      float[] returns) {
}
