package dev.gymrpc.agents;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A listener that writes a run down bit for bit: one line per episode and per update (every metric's
 * {@code double} bits, except the wall-clock {@code charts/SPS}), for comparing runs exactly. Metrics whose
 * name starts with {@code asidePrefix} (e.g. {@code "gradq/"}) are kept out of the lines and collected per
 * update instead.
 */
public final class TrainingLog implements TrainingListener {

    private final List<String> lines = new ArrayList<>();
    private final String asidePrefix;
    private final List<Map<String, Double>> aside = new ArrayList<>();
    private final List<Long> asideUpdates = new ArrayList<>();

    public TrainingLog() {
        this(null);
    }

    public TrainingLog(String asidePrefix) {
        this.asidePrefix = asidePrefix;
    }

    @Override
    public void onEpisode(EpisodeStats e) {
        lines.add("episode " + e);
    }

    @Override
    public void onUpdate(long envSteps, long update, Map<String, Double> m) {
        StringBuilder sb = new StringBuilder("update " + update + " ");
        Map<String, Double> d = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (asidePrefix != null && k.startsWith(asidePrefix)) {
                d.put(k, v);
            } else if (!k.equals("charts/SPS")) {
                sb.append(k).append('=').append(Double.doubleToLongBits(v)).append(' ');
            }
        });
        lines.add(sb.toString());
        if (!d.isEmpty()) {
            aside.add(d);
            asideUpdates.add(update);
        }
    }

    /** The lines, ending with the trained policy's parameters. */
    public List<String> finish(Trainer.TrainResult r) {
        lines.add("params " + Arrays.toString(r.policy().parameters()));
        return lines;
    }

    /** The metrics kept aside, one map per update that had any. */
    public List<Map<String, Double>> aside() {
        return aside;
    }

    /** The updates those maps came from. */
    public List<Long> asideUpdates() {
        return asideUpdates;
    }
}
