package dev.gymrpc.server.cli;

import dev.gymrpc.proto.v1.TrainingSpec;
import dev.gymrpc.proto.v1.Value;
import java.util.Map;

/**
 * {@code --set name=value} on the command line: sets any config field of the chosen algorithm by its
 * schema name (e.g. {@code gamma=0.98}, {@code hidden_sizes=64,64}, {@code advantage=gae},
 * {@code augmentations.grokfast_lambda=5}). The text goes to the server as is; the algorithm's schema
 * parses and range-checks it there (an unknown name or bad value is an error naming the field, its type
 * and range), so every field of every algorithm is settable without a flag of its own.
 */
final class ConfigOverrides {

    private ConfigOverrides() {
    }

    /** Puts {@code assignments} (name -> text) into the spec's config values. */
    static void apply(TrainingSpec.Builder spec, Map<String, String> assignments) {
        for (Map.Entry<String, String> a : assignments.entrySet()) {
            spec.putConfigValues(a.getKey().trim().replace('-', '_'),
                    Value.newBuilder().setStringValue(a.getValue().trim()).build());
        }
    }

    /** Parses {@code key=value} env option text into a wire Value (bool, int, float or string). */
    static Value envValue(String text) {
        String t = text.trim();
        if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
            return Value.newBuilder().setBoolValue(Boolean.parseBoolean(t)).build();
        }
        try {
            return Value.newBuilder().setIntValue(Long.parseLong(t)).build();
        } catch (NumberFormatException ignored) {
            // not an int
        }
        try {
            return Value.newBuilder().setFloatValue(Double.parseDouble(t)).build();
        } catch (NumberFormatException ignored) {
            return Value.newBuilder().setStringValue(t).build();
        }
    }
}
