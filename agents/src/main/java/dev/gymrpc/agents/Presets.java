package dev.gymrpc.agents;

import dev.gymrpc.agents.io.Json;
import dev.gymrpc.agents.io.ModelIO;
import dev.gymrpc.agents.io.RecordCodec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named configurations by algorithm, and configs to and from JSON, for callers that receive them as
 * strings (the CLI, experiments). Presets themselves are defined by each {@link Algorithm}.
 */
public final class Presets {

    private Presets() {
    }

    /** Algorithms and their preset names, in a fixed order. */
    public static Map<String, List<String>> names() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Algorithms.all().forEach((n, a) -> out.put(n, List.copyOf(a.presets().keySet())));
        return out;
    }

    /** The preset {@code name} of {@code algorithm}. */
    public static AlgoConfig get(String algorithm, String name) {
        return Algorithms.get(algorithm).preset(name);
    }

    /** The config as JSON (all fields; non-finite numbers as strings). */
    public static String toJson(AlgoConfig config) {
        return Json.write(RecordCodec.toMap((Record) config));
    }

    /**
     * A config from JSON. Every field must be present (start from {@link #toJson} of a preset); the
     * record's validation runs and its message names a bad field.
     */
    public static AlgoConfig fromJson(String algorithm, String json) {
        Object parsed = Json.parse(json);
        if (!(parsed instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("config JSON must be an object");
        }
        return ModelIO.config(Algorithms.get(algorithm).name(), m);
    }
}
