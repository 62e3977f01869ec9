package dev.gymrpc.agents;

import dev.gymrpc.agents.io.Json;
import dev.gymrpc.agents.io.ModelIO;
import dev.gymrpc.agents.io.RecordCodec;
import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.sac.SacConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Named configurations by algorithm, and configs to and from JSON, for callers that receive them as
 * strings (the server, the CLI).
 */
public final class Presets {

    private static final Map<String, List<String>> NAMES = new LinkedHashMap<>();

    static {
        NAMES.put("sac", List.of("fourrooms", "fourrooms-fast", "lunarlander"));
        NAMES.put("ppo", List.of("paper", "lunarlander-tuned", "cartpole"));
    }

    private Presets() {
    }

    /** Algorithms and their preset names, in a fixed order. */
    public static Map<String, List<String>> names() {
        return NAMES;
    }

    /** The preset {@code name} of {@code algorithm} ("sac" or "ppo"). */
    public static AlgoConfig get(String algorithm, String name) {
        return switch (algorithm.toLowerCase(Locale.ROOT)) {
            case "sac" -> SacConfig.preset(name);
            case "ppo" -> PpoConfig.preset(name);
            default -> throw new IllegalArgumentException("unknown algorithm '" + algorithm + "'; choose one of " + NAMES.keySet());
        };
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
        return ModelIO.config(algorithm.toLowerCase(Locale.ROOT), m);
    }
}
