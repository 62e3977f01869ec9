package dev.gymrpc.bench;

import dev.gymrpc.client.RemoteEnv;
import dev.gymrpc.client.RemoteVectorEnv;
import dev.gymrpc.envs.AutoresetMode;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.Step;
import dev.gymrpc.server.GymRpcServer;
import dev.gymrpc.server.ServerConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A soak run (a benchmark, never a test): {@code clients} client threads, each on its own loopback TCP
 * connection to a server in this JVM, for {@code minutes}, doing a random mix of what real clients do:
 * single envs over unary calls and over a Session stream, vector envs, resets and episodes to the end,
 * closes, and two kinds of abandonment: an env made and never closed (the server's idle reclaim must
 * free it) and a client "killed" with its Session stream open (its connection dropped without a word;
 * the stream's end must free its envs).
 *
 * <p>Prints, at the end: errors (any exception a client saw), sessions still open after the idle timeout
 * has passed with every client gone (leaked), and the heap used after a full GC before the clients
 * start, once a minute, and at the end. Goal: 0 errors, 0 leaked, a flat heap.
 */
public final class SoakBench {

    /** What to run. */
    public record Settings(double minutes, int clients, Duration idleTimeout, long seed) {
    }

    private static final String[] SINGLE = {"CartPole-v1", "LunarLander-v3", "FourRooms-v0", "LunarLanderContinuous-v3"};
    private static final String[] VECTOR = {"CartPole-v1", "LunarLander-v3", "FourRooms-v0"};

    private final Settings s;
    private final PrintStream out;
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong episodes = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Map<String, AtomicLong> scenarios = new ConcurrentHashMap<>();
    private final List<String> firstErrors = new ArrayList<>();

    private SoakBench(Settings s, PrintStream out) {
        this.s = s;
        this.out = out;
    }

    /** Runs the soak and prints its report; returns the number of errors plus leaked sessions. */
    public static long run(Settings s, PrintStream out) throws InterruptedException {
        return new SoakBench(s, out).run();
    }

    private long run() throws InterruptedException {
        ServerConfig config = ServerConfig.defaults().withHost("127.0.0.1").withPort(0)
                .withIdleTimeout(s.idleTimeout()).withMaxSessions(4096);
        GymRpcServer server;
        try {
            server = new GymRpcServer(GymRpcServer.netty(config), config, EnvRegistry.standard()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int port = server.port();
        try {
            long heapStart = heapAfterGc();
            out.printf(Locale.ROOT, "soak: %d clients for %.1f min on 127.0.0.1:%d, idle timeout %s; heap after GC at start %.1f MB%n",
                    s.clients(), s.minutes(), port, s.idleTimeout(), mb(heapStart));
            long start = System.nanoTime();
            long end = start + (long) (s.minutes() * 60e9);
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < s.clients(); c++) {
                int id = c;
                Thread t = new Thread(() -> client(id, port, end), "soak-client-" + c);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            long nextReport = start + TimeUnit.MINUTES.toNanos(1);
            while (System.nanoTime() < end) {
                Thread.sleep(Math.max(1, Math.min(1000, (end - System.nanoTime()) / 1_000_000)));
                if (System.nanoTime() >= nextReport && System.nanoTime() < end) {
                    nextReport += TimeUnit.MINUTES.toNanos(1);
                    out.printf(Locale.ROOT, "  %5.1f min: %,d steps, %,d episodes, %d errors, %d sessions open, heap after GC %.1f MB%n",
                            (System.nanoTime() - start) / 60e9, steps.get(), episodes.get(), errors.get(),
                            server.sessions().size(), mb(heapAfterGc()));
                }
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(60));
                if (t.isAlive()) {
                    error("client " + t.getName() + " did not finish within 60 s of the end");
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int openAtEnd = server.sessions().size();
            // Abandoned envs are freed by the idle reaper: wait out the timeout plus a reaper period.
            Thread.sleep(s.idleTimeout().toMillis() + Math.max(1000, s.idleTimeout().toMillis() / 2));
            int leaked = server.sessions().size();
            long heapEnd = heapAfterGc();
            out.printf(Locale.ROOT, "soak done after %.0f s: %,d env steps (%.0f/s), %,d episodes%n", seconds, steps.get(),
                    steps.get() / seconds, episodes.get());
            out.printf(Locale.ROOT, "  scenarios run: %s%n", new java.util.TreeMap<>(scenarios));
            out.printf(Locale.ROOT, "  sessions: %s (%d open when the clients stopped)%n", server.sessions().stats(), openAtEnd);
            out.printf(Locale.ROOT, "  errors: %d%s%n", errors.get(), firstErrors.isEmpty() ? "" : " (first: " + firstErrors + ")");
            out.printf(Locale.ROOT, "  leaked sessions after idle reclaim: %d%n", leaked);
            out.printf(Locale.ROOT, "  heap after GC: start %.1f MB, end %.1f MB (%+.1f MB)%n", mb(heapStart), mb(heapEnd),
                    mb(heapEnd - heapStart));
            return errors.get() + leaked;
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    /** One client thread: scenarios chosen at random until the end, on its own connection. */
    private void client(int id, int port, long end) {
        SplittableRandom rng = new SplittableRandom(s.seed() * 1_000_003L + id);
        ManagedChannel channel = channel(port);
        try {
            while (System.nanoTime() < end) {
                int pick = rng.nextInt(100);
                String name = pick < 30 ? "unary" : pick < 60 ? "stream" : pick < 85 ? "vector"
                        : pick < 93 ? "abandon-unary" : "killed-stream";
                scenarios.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
                try {
                    switch (name) {
                        case "unary" -> single(RemoteEnv.make(channel, pickEnv(rng, SINGLE), Map.of()), rng, true);
                        case "stream" -> single(RemoteEnv.makeOnStream(channel, pickEnv(rng, SINGLE), Map.of()), rng, true);
                        case "vector" -> vector(channel, rng);
                        case "abandon-unary" -> single(RemoteEnv.make(channel, pickEnv(rng, SINGLE), Map.of()), rng, false);
                        default -> killedStream(port, rng);
                    }
                } catch (RuntimeException e) {
                    error(name + ": " + e);
                }
            }
        } finally {
            channel.shutdownNow();
        }
    }

    private static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    private static String pickEnv(SplittableRandom rng, String[] ids) {
        return ids[rng.nextInt(ids.length)];
    }

    /** Episodes on one env (1 to 3 of them, up to 400 steps each); closes it unless {@code close} is false. */
    private void single(Env<?> env, SplittableRandom rng, boolean close) {
        try {
            int eps = close ? 1 + rng.nextInt(3) : 1;
            for (int e = 0; e < eps; e++) {
                env.reset(rng.nextLong(1 << 20));
                int limit = close ? 400 : 1 + rng.nextInt(20);
                for (int t = 0; t < limit; t++) {
                    Step st = env.stepObject(env.actionSpace().sample(rng));
                    steps.incrementAndGet();
                    if (st.done()) {
                        episodes.incrementAndGet();
                        break;
                    }
                }
            }
        } finally {
            if (close) {
                env.close();
            }
        }
    }

    private void vector(ManagedChannel channel, SplittableRandom rng) {
        int n = 2 + rng.nextInt(15);
        try (RemoteVectorEnv<?> v = RemoteVectorEnv.make(channel, pickEnv(rng, VECTOR), n, Map.of(),
                AutoresetMode.NEXT_STEP, 1)) {
            vectorSteps(v, rng, n);
        }
    }

    private <A> void vectorSteps(RemoteVectorEnv<A> v, SplittableRandom rng, int n) {
        v.reset(rng.nextLong(1 << 20));
        int calls = 20 + rng.nextInt(200);
        for (int i = 0; i < calls; i++) {
            List<A> actions = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                actions.add(v.singleActionSpace().sample(rng));
            }
            var st = v.step(actions);
            steps.addAndGet(n);
            for (int k = 0; k < n; k++) {
                if (st.terminated()[k] || st.truncated()[k]) {
                    episodes.incrementAndGet();
                }
            }
            if (rng.nextInt(100) == 0) {
                v.reset(rng.nextLong(1 << 20));
            }
        }
    }

    /** A client on its own connection that makes envs on a Session stream and is then "killed". */
    private void killedStream(int port, SplittableRandom rng) {
        ManagedChannel own = channel(port);
        try {
            Env<?> env = RemoteEnv.makeOnStream(own, pickEnv(rng, SINGLE), Map.of());
            env.reset(rng.nextLong(1 << 20));
            for (int t = 0, limit = 1 + rng.nextInt(50); t < limit; t++) {
                if (env.stepObject(env.actionSpace().sample(rng)).done()) {
                    break;
                }
                steps.incrementAndGet();
            }
        } finally {
            own.shutdownNow(); // no CloseEnv, no half-close: the connection just goes away
        }
    }

    private void error(String message) {
        errors.incrementAndGet();
        synchronized (firstErrors) {
            if (firstErrors.size() < 5) {
                firstErrors.add(message);
            }
        }
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
