package dev.gymrpc.server.cli;

import dev.gymrpc.server.bench.VectorBench;
import dev.gymrpc.server.env.EnvOperations;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gymrpc bench ...}: the benchmarks that run on the server's own code; each kind is a subcommand.
 * {@code bench envs|rpc|soak} (JMH, the Java client) are in module {@code bench}, which the
 * {@code ./gymrpc} launcher runs for those names.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = {"Run a benchmark and print a table.",
        "bench envs | rpc | soak are run by the ./gymrpc launcher from bench/target/gymrpc-bench.jar."},
        subcommands = {BenchCommand.Vector.class, AgentsBenchCommand.class})
final class BenchCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * {@code gymrpc bench vector}: the in-process {@code VectorEnv} the server steps for a VectorStep, with no
     * RPC, timed over wall-clock seconds. The Python benchmark (bench_client.py) runs it next to its remote
     * vector rows to print "remote / in-process at the same threads".
     */
    @Command(name = "vector", mixinStandardHelpOptions = true,
            description = "In-process VectorEnv env-steps/s (no RPC), the bound a remote VectorStep can reach.")
    static final class Vector implements Callable<Integer> {

        @Option(names = "--env", defaultValue = "LunarLander-v3", description = "Env id (default: ${DEFAULT-VALUE}).")
        String env;

        @Option(names = "--num-envs", defaultValue = "64", description = "Sub-envs (default: ${DEFAULT-VALUE}).")
        int numEnvs;

        @Option(names = "--threads", defaultValue = "0", description = "Worker threads; 0 = the server's default "
                + "for MakeVectorEnv (one per 16 sub-envs, capped at the cores) (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--seconds", defaultValue = "3", description = "Timed seconds (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--warmup-seconds", defaultValue = "2",
                description = "Untimed seconds first, for the JIT (default: ${DEFAULT-VALUE}).")
        double warmupSeconds;

        @Option(names = "--warmup-batches", defaultValue = "0", description = "Also step at least this many "
                + "untimed batches first: on a loaded machine a wall-clock warm-up may end before the JIT has "
                + "compiled the step path (default: ${DEFAULT-VALUE}).")
        long warmupBatches;

        @Option(names = "--json", description = "Print one JSON object instead of a sentence.")
        boolean json;

        @Option(names = "--stdin", description = "Stay up after the first measurement and measure again for "
                + "every line read from stdin (a number of seconds, or empty for --seconds), on the same warm "
                + "JVM and VectorEnv, until end of input: lets a benchmark interleave these rows with others.")
        boolean stdin;

        @Override
        public Integer call() throws java.io.IOException {
            int t = EnvOperations.vectorThreads(threads, numEnvs, Runtime.getRuntime().availableProcessors());
            try (VectorBench bench = new VectorBench(env, numEnvs, t)) {
                long warm = bench.stepFor(warmupSeconds);
                while (warm < warmupBatches) {
                    warm += bench.stepFor(0);
                }
                print(bench.measure(seconds));
                if (stdin) {
                    java.io.BufferedReader in = new java.io.BufferedReader(
                            new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
                    for (String line; (line = in.readLine()) != null; ) {
                        print(bench.measure(line.isBlank() ? seconds : Double.parseDouble(line.trim())));
                    }
                }
            }
            return 0;
        }

        private void print(VectorBench.Result r) {
            System.out.println(json ? r.toJson() : r.toString());
            System.out.flush();
        }
    }
}
