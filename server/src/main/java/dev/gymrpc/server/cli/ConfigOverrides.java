package dev.gymrpc.server.cli;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.gymrpc.proto.v1.Value;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code --set name=value} on the command line: sets a field of the SacConfig / PpoConfig message by its
 * proto name (e.g. {@code gamma=0.98}, {@code hidden_sizes=64,64}, {@code learning_starts=1000},
 * {@code advantage=gae}), converting the text to the field's type through the message descriptor, so
 * every config field is settable without a flag of its own. Unknown names list the valid ones.
 */
final class ConfigOverrides {

    private ConfigOverrides() {
    }

    /** Applies {@code assignments} (name -> text) to {@code builder}. */
    static void apply(Message.Builder builder, Map<String, String> assignments) {
        for (Map.Entry<String, String> a : assignments.entrySet()) {
            set(builder, a.getKey().trim().replace('-', '_'), a.getValue().trim());
        }
    }

    private static void set(Message.Builder b, String name, String text) {
        FieldDescriptor f = b.getDescriptorForType().findFieldByName(name);
        if (f == null) {
            throw new IllegalArgumentException("--set " + name + ": no such " + b.getDescriptorForType().getName()
                    + " field; valid: " + b.getDescriptorForType().getFields().stream().map(FieldDescriptor::getName)
                    .collect(Collectors.joining(", ")));
        }
        try {
            if (f.isRepeated()) {
                b.clearField(f);
                for (String part : text.split(",")) {
                    if (!part.isBlank()) {
                        b.addRepeatedField(f, scalar(f, part.trim()));
                    }
                }
            } else {
                b.setField(f, scalar(f, text));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--set " + name + "=" + text + ": expected " + typeName(f));
        }
    }

    private static Object scalar(FieldDescriptor f, String text) {
        return switch (f.getJavaType()) {
            case DOUBLE -> parseDouble(text);
            case FLOAT -> (float) parseDouble(text);
            case INT -> Integer.parseInt(text.replace("_", ""));
            case LONG -> Long.parseLong(text.replace("_", ""));
            case BOOLEAN -> {
                if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
                    throw new NumberFormatException(text);
                }
                yield Boolean.parseBoolean(text);
            }
            case ENUM -> {
                String want = text.toUpperCase(Locale.ROOT).replace('-', '_');
                for (EnumValueDescriptor v : f.getEnumType().getValues()) {
                    if (v.getNumber() != 0 && (v.getName().equals(want) || v.getName().endsWith("_" + want))) {
                        yield v;
                    }
                }
                throw new IllegalArgumentException("--set " + f.getName() + "=" + text + ": choose one of "
                        + f.getEnumType().getValues().stream().filter(v -> v.getNumber() != 0)
                        .map(v -> v.getName().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
            }
            case STRING -> text;
            default -> throw new IllegalArgumentException("--set " + f.getName() + " cannot be set from text");
        };
    }

    private static double parseDouble(String t) {
        String s = t.toLowerCase(Locale.ROOT);
        if (s.equals("-inf") || s.equals("-infinity")) {
            return Double.NEGATIVE_INFINITY;
        }
        if (s.equals("inf") || s.equals("infinity")) {
            return Double.POSITIVE_INFINITY;
        }
        return Double.parseDouble(t);
    }

    private static String typeName(FieldDescriptor f) {
        String t = switch (f.getJavaType()) {
            case DOUBLE, FLOAT -> "a number";
            case INT, LONG -> "an integer";
            case BOOLEAN -> "true or false";
            default -> f.getJavaType().name().toLowerCase(Locale.ROOT);
        };
        return f.isRepeated() ? "comma-separated values, each " + t : t;
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
