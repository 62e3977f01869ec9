package dev.gymrpc.server.cli;

import picocli.CommandLine.Command;

/**
 * {@code gymrpc bench ...}: the benchmarks that run on the server's own code; each kind is a subcommand.
 * {@code bench envs|rpc|soak} (JMH, the Java client) are in module {@code bench}, which the
 * {@code ./gymrpc} launcher runs for those names.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = {"Run a benchmark and print a table.",
        "bench envs | rpc | soak are run by the ./gymrpc launcher from bench/target/gymrpc-bench.jar."},
        subcommands = {AgentsBenchCommand.class})
final class BenchCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
