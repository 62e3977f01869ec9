package dev.gymrpc.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmarks that need more than the server's own code (JMH, the Java client library):
 * {@code ./gymrpc bench envs|rpc|soak} runs this jar ({@code bench/target/gymrpc-bench.jar}); the
 * server's CLI keeps {@code bench agents} and {@code bench vector}, which use only the server.
 */
@Command(name = "gymrpc bench", mixinStandardHelpOptions = true, description = "Run a benchmark and print a table.",
        subcommands = {BenchMain.Rpc.class, BenchMain.Envs.class, BenchMain.Soak.class})
public final class BenchMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        // Exit explicitly: gRPC's non-daemon threads would otherwise keep a finished bench alive.
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    /** {@code gymrpc bench rpc}: step round-trip latency and batched throughput over loopback TCP. */
    @Command(name = "rpc", mixinStandardHelpOptions = true,
            description = "Step latency (p50/p99, unary and streaming) and batched env-steps/s over loopback gRPC.")
    static final class Rpc implements Callable<Integer> {

        @Option(names = "--env", defaultValue = "CartPole-v1", description = "Env id (default: ${DEFAULT-VALUE}).")
        String env;

        @Option(names = "--steps", defaultValue = "20000", description = "Timed steps per latency row (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--warmup", defaultValue = "20000", description = "Untimed steps before each row (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--batch-sizes", defaultValue = "1,8,64", split = ",",
                description = "num_envs of the batched rows (default: ${DEFAULT-VALUE}).")
        List<Integer> batchSizes;

        @Option(names = "--batch-calls", defaultValue = "2000",
                description = "Timed VectorStep calls per batched row (default: ${DEFAULT-VALUE}).")
        int batchCalls;

        @Option(names = "--target", description = "host:port of a running server; default: start one on a free "
                + "loopback port in this JVM.")
        String target;

        @Override
        public Integer call() throws Exception {
            RpcBench.Settings s = new RpcBench.Settings(env, steps, warmup, batchSizes, batchCalls, target);
            System.out.print(RpcBench.run(s).table());
            return 0;
        }
    }

    /** {@code gymrpc bench envs}: in-process env steps/s (JMH), single thread and vector env across cores. */
    @Command(name = "envs", mixinStandardHelpOptions = true,
            description = "Env steps/s with JMH (FourRooms, CartPole, LunarLander; vector env of 64 on 1 and 2 "
                    + "threads; per-env-step cost of 64 vs 1 LunarLanders on one thread), with ratios to "
                    + "Gymnasium's Python LunarLander-v3 measured in the same run.")
    static final class Envs implements Callable<Integer> {

        @Option(names = "--quick", description = "Short iterations (a smoke run; figures are rough).")
        boolean quick;

        @Option(names = "--only", description = "Run only the benchmark methods matching this regex, e.g. "
                + "'step|vectorScaling' (methods: step, vectorStep, vectorScaling; default: all).")
        String only;

        @Option(names = "--cpu", description = "Instead of JMH: per-env-step thread CPU time of 1 vs 64 "
                + "LunarLanders on one thread, alternating rounds in one JVM (for a machine shared with other "
                + "busy processes, where wall-clock figures mostly measure time slicing).")
        boolean cpu;

        @Option(names = "--gymnasium", paramLabel = "PYTHON", description = "Python with gymnasium and Box2D for the "
                + "same-run reference (bench/gymnasium_speed.py; default: python3; 'none' skips it).")
        String gymnasium;

        @Override
        public Integer call() throws Exception {
            if (cpu) {
                CpuTimeBench.main(new String[0]);
                return 0;
            }
            double gym = "none".equals(gymnasium) ? Double.NaN
                    : GymnasiumReference.measure(gymnasium, quick ? 10_000 : 50_000, 3);
            EnvBench.printSummary(EnvBench.run(quick, only), gym);
            return 0;
        }
    }

    /** {@code gymrpc bench soak}: many clients for minutes; errors, leaked sessions and heap after GC. */
    @Command(name = "soak", mixinStandardHelpOptions = true,
            description = "Soak a server in this JVM over loopback: clients mixing single (unary and stream) and vector "
                    + "envs, resets, closes, abandoned envs and killed clients; prints errors, sessions leaked after "
                    + "idle reclaim, and heap after GC at start, each minute and at the end. Exit code 1 if any "
                    + "error or leak.")
    static final class Soak implements Callable<Integer> {

        @Option(names = "--minutes", defaultValue = "10", description = "How long the clients run (default: ${DEFAULT-VALUE}).")
        double minutes;

        @Option(names = "--clients", defaultValue = "64", description = "Client threads, one connection each (default: ${DEFAULT-VALUE}).")
        int clients;

        @Option(names = "--idle-timeout-seconds", defaultValue = "10",
                description = "The server's idle timeout, which reclaims abandoned envs (default: ${DEFAULT-VALUE}).")
        int idleTimeoutSeconds;

        @Option(names = "--seed", defaultValue = "1", description = "Seed of the clients' choices (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() throws Exception {
            if (minutes <= 0 || clients < 1 || idleTimeoutSeconds < 1) {
                System.err.println("--minutes must be > 0, --clients >= 1 and --idle-timeout-seconds >= 1");
                return 2;
            }
            long bad = SoakBench.run(new SoakBench.Settings(minutes, clients, Duration.ofSeconds(idleTimeoutSeconds), seed),
                    System.out);
            return bad == 0 ? 0 : 1;
        }
    }
}
