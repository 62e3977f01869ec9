package dev.gymrpc.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gymrpc} command line. Each verb is a picocli subcommand class listed in
 * {@link #subcommands}; adding one (train, evaluate, plot, ...) is one class plus one entry there.
 */
@Command(name = "gymrpc", mixinStandardHelpOptions = true, version = "gymrpc 0.1.0-SNAPSHOT",
        description = "Gymnasium-compatible environments and RL agents served over gRPC.",
        subcommands = {ServeCommand.class, TrainCommand.class, EvaluateCommand.class, AlgorithmsCommand.class,
                ExportCommand.class, JobsCommand.class, PlotCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a subcommand: print usage. */
    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The command line, with duration options understood everywhere. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main())
                .registerConverter(java.time.Duration.class, dev.gymrpc.server.ServerConfig::parseDuration)
                .setCaseInsensitiveEnumValuesAllowed(true);
        // `train --help` lists every algorithm's fields, read from the algorithms' schemas; rendered only
        // when the help is printed, so other commands (serve) do not load every algorithm at start-up.
        cl.getSubcommands().get("train").getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER,
                help -> {
                    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
                    AlgorithmsCommand.print(dev.gymrpc.server.agent.AlgorithmCatalog.list().getAlgorithmsList(), false,
                            new java.io.PrintStream(b, true, java.nio.charset.StandardCharsets.UTF_8));
                    return String.format("%nAlgorithms and their config fields (name (type range; default of the first "
                            + "preset), doc):%n%n") + b.toString(java.nio.charset.StandardCharsets.UTF_8);
                });
        return cl;
    }

    public static void main(String[] args) {
        // Exit explicitly: gRPC's non-daemon threads would otherwise keep a finished bench alive.
        System.exit(commandLine().execute(args));
    }
}
