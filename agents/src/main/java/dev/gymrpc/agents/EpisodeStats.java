package dev.gymrpc.agents;

/**
 * One finished training episode.
 *
 * @param episode     1-based index among the run's finished episodes
 * @param envSteps    total env steps of the run when it ended
 * @param ret         undiscounted return ({@code charts/episodic_return})
 * @param length      steps ({@code charts/episodic_length})
 * @param discounted  discounted return from the episode's first step, with the algorithm's gamma
 * @param terminated  whether it ended by termination (else by truncation)
 */
public record EpisodeStats(long episode, long envSteps, double ret, int length, double discounted, boolean terminated) {

    /** The episode as CleanRL-named metrics, in a fixed order. */
    public java.util.Map<String, Double> metrics() {
        java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
        m.put("charts/episodic_return", ret);
        m.put("charts/episodic_length", (double) length);
        m.put("charts/discounted_return", discounted);
        return m;
    }
}
