package dev.gymrpc.agents.util;

import java.util.LinkedHashMap;
import java.util.Map;

/** Averages per-step metrics over an update (insertion-ordered, so the output order is stable). */
public final class MetricMeans {

    private final Map<String, double[]> sums = new LinkedHashMap<>();

    public void add(String key, double v) {
        double[] s = sums.computeIfAbsent(key, k -> new double[2]);
        s[0] += v;
        s[1]++;
    }

    public void addAll(Map<String, Double> m) {
        m.forEach(this::add);
    }

    /** Means, in first-seen order, into {@code out}. */
    public void putMeans(Map<String, Double> out) {
        sums.forEach((k, s) -> out.put(k, s[0] / s[1]));
    }
}
