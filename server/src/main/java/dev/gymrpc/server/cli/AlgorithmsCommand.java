package dev.gymrpc.server.cli;

import dev.gymrpc.proto.v1.AlgorithmInfo;
import dev.gymrpc.proto.v1.ConfigField;
import dev.gymrpc.proto.v1.ListAlgorithmsRequest;
import dev.gymrpc.proto.v1.Preset;
import dev.gymrpc.proto.wire.Values;
import dev.gymrpc.server.agent.AlgorithmCatalog;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gymrpc algorithms}: the algorithms this build (or a server) can train, each with its config
 * fields (type, range, doc, default) and presets, from the algorithms' own schemas.
 */
@Command(name = "algorithms", mixinStandardHelpOptions = true,
        description = {"List the training algorithms with every config field (settable with `gymrpc train --set`)"
                + " and their presets.",
                "Examples:",
                "  gymrpc algorithms",
                "  gymrpc algorithms --server localhost:50051 --presets"})
final class AlgorithmsCommand implements Callable<Integer> {

    @Option(names = "--server", paramLabel = "HOST:PORT", description = "Ask this server (default: this build's algorithms).")
    String server;

    @Option(names = "--presets", description = "Also print every preset's values.")
    boolean presets;

    @Override
    public Integer call() throws Exception {
        return CliErrors.run(() -> {
            List<AlgorithmInfo> algos;
            if (server == null) {
                algos = AlgorithmCatalog.list().getAlgorithmsList();
            } else {
                try (AgentConnection conn = AgentConnection.open(server, null, 1,
                        System.getenv().getOrDefault("GYMRPC_AUTH_TOKEN", "").strip())) {
                    algos = conn.blocking().listAlgorithms(ListAlgorithmsRequest.getDefaultInstance()).getAlgorithmsList();
                }
            }
            print(algos, presets, System.out);
            return 0;
        });
    }

    /** Prints each algorithm with its fields (and presets if asked). */
    static void print(List<AlgorithmInfo> algos, boolean withPresets, PrintStream out) {
        for (AlgorithmInfo a : algos) {
            out.printf("%s  (%s actions) - %s%n", a.getName(), String.join(", ", a.getActionKindsList()), a.getDescription());
            out.printf("  presets: %s%n", String.join(", ", a.getPresetsList().stream().map(Preset::getName).toList()));
            for (ConfigField f : a.getFieldsList()) {
                String def = f.hasDefaultValue() ? text(Values.fromValue(f.getDefaultValue())) : "";
                String range = f.getRange().isEmpty() || f.getType().equals("enum") ? "" : " " + f.getRange();
                out.printf("  %s (%s%s; default %s)%n      %s%n", f.getName(),
                        f.getType().equals("enum") ? String.join("|", f.getChoicesList()) : f.getType(), range, def, f.getDoc());
            }
            if (withPresets) {
                for (Preset p : a.getPresetsList()) {
                    StringBuilder b = new StringBuilder();
                    p.getValuesMap().forEach((k, v) -> b.append(' ').append(k).append('=').append(text(Values.fromValue(v))));
                    out.printf("  preset %s:%s%n", p.getName(), b);
                }
            }
            out.println();
        }
    }

    static String text(Object v) {
        if (v instanceof long[] a) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < a.length; i++) {
                b.append(i > 0 ? "," : "").append(a[i]);
            }
            return b.toString();
        }
        if (v instanceof int[] a) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < a.length; i++) {
                b.append(i > 0 ? "," : "").append(a[i]);
            }
            return b.toString();
        }
        return String.valueOf(v);
    }
}
