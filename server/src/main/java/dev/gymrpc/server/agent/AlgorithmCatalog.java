package dev.gymrpc.server.agent;

import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Algorithm;
import dev.gymrpc.agents.Algorithms;
import dev.gymrpc.agents.config.ConfigSchema;
import dev.gymrpc.proto.v1.AlgorithmInfo;
import dev.gymrpc.proto.v1.ConfigField;
import dev.gymrpc.proto.v1.ListAlgorithmsResponse;
import dev.gymrpc.proto.v1.Preset;
import dev.gymrpc.proto.wire.Values;
import java.util.Locale;
import java.util.Map;

/** The wire description of every {@link Algorithm} (ListAlgorithms), read from their schemas and presets. */
public final class AlgorithmCatalog {

    private AlgorithmCatalog() {
    }

    /** Every algorithm, by name. */
    public static ListAlgorithmsResponse list() {
        ListAlgorithmsResponse.Builder b = ListAlgorithmsResponse.newBuilder();
        Algorithms.all().values().forEach(a -> b.addAlgorithms(describe(a)));
        return b.build();
    }

    /** One algorithm: fields with type, doc, range and the first preset's value; every preset's values. */
    public static AlgorithmInfo describe(Algorithm a) {
        ConfigSchema schema = a.schema();
        AlgorithmInfo.Builder b = AlgorithmInfo.newBuilder().setName(a.name()).setDescription(a.description());
        a.actionKinds().stream().map(k -> k.name().toLowerCase(Locale.ROOT)).sorted().forEach(b::addActionKinds);
        Map<String, ? extends AlgoConfig> presets = a.presets();
        Map<String, Object> defaults = presets.isEmpty() ? Map.of() : schema.toMap((Record) presets.values().iterator().next());
        for (ConfigSchema.Field f : schema.fields()) {
            ConfigField.Builder fb = ConfigField.newBuilder().setName(f.name()).setType(f.type().label()).setDoc(f.doc())
                    .setRange(f.range()).addAllChoices(f.choices());
            Object d = defaults.get(f.name());
            if (d != null) {
                fb.setDefaultValue(Values.toValue(SpecResolver.wire(d)));
            }
            b.addFields(fb);
        }
        presets.forEach((name, c) -> {
            Preset.Builder p = Preset.newBuilder().setName(name);
            schema.toMap((Record) c).forEach((k, v) -> p.putValues(k, Values.toValue(SpecResolver.wire(v))));
            b.addPresets(p);
        });
        return b.build();
    }
}
