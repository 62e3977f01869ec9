package dev.gymrpc.bench;

import dev.gymrpc.client.RemoteEnv;
import dev.gymrpc.client.ResponseWait;
import dev.gymrpc.envs.AutoresetMode;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.Space;
import dev.gymrpc.envs.VectorEnv;
import dev.gymrpc.proto.v1.EnvServiceGrpc;
import dev.gymrpc.proto.v1.MakeEnvRequest;
import dev.gymrpc.proto.v1.MakeEnvResponse;
import dev.gymrpc.proto.v1.MakeVectorEnvRequest;
import dev.gymrpc.proto.v1.MakeVectorEnvResponse;
import dev.gymrpc.proto.v1.ResetRequest;
import dev.gymrpc.proto.v1.SessionRequest;
import dev.gymrpc.proto.v1.SessionResponse;
import dev.gymrpc.proto.v1.StepRequest;
import dev.gymrpc.proto.v1.StepResponse;
import dev.gymrpc.proto.v1.Tensor;
import dev.gymrpc.proto.v1.VectorResetRequest;
import dev.gymrpc.proto.v1.VectorStepRequest;
import dev.gymrpc.proto.v1.CloseEnvRequest;
import dev.gymrpc.proto.wire.Actions;
import dev.gymrpc.proto.wire.Spaces;
import dev.gymrpc.server.GymRpcServer;
import dev.gymrpc.server.ServerConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Measures what a remote env costs over real loopback TCP (Netty, plaintext), with the Java client:
 *
 * <ul>
 *   <li>step round-trip latency, p50 / p99 / mean, for unary Step and for Step on a Session stream
 *       (one request in flight: the latency an agent loop sees);</li>
 *   <li>env-steps/s for batched VectorStep at several num_envs (NEXT_STEP autoreset, so no client-side
 *       resets), next to the same VectorEnv stepped in-process without gRPC, which bounds what RPC can
 *       reach;</li>
 *   <li>env-steps/s for a pipelined Session stream of vector_step requests (up to 32 in flight) at the
 *       same num_envs.</li>
 * </ul>
 *
 * <p>Anchor: EnvPool is the throughput reference for in-process batched stepping. Timings vary with
 * machine load; they are printed, never asserted.
 */
public final class RpcBench {

    /** What to run. {@code target} null = start a server on a free loopback port in this JVM. */
    public record Settings(String envId, int steps, int warmup, List<Integer> batchSizes, int batchCalls,
                           String target) {
    }

    /** One table row; latency fields are NaN for throughput rows and vice versa. */
    public record Row(String name, double p50Micros, double p99Micros, double meanMicros, double envStepsPerSecond,
                      double cpuMicrosPerCall) {
    }

    /** All rows, with the table text. */
    public record Result(String envId, String server, List<Row> rows, double loadAverage) {
        public String table() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "gymrpc rpc bench: %s, loopback TCP (Netty, plaintext), %s server, "
                    + "Java client (spin budget %d us before blocking)%n", envId, server,
                    ResponseWait.spinNanos() / 1000));
            b.append(String.format(Locale.ROOT, "%-44s %9s %9s %9s %13s %12s%n", "measurement", "p50 us", "p99 us",
                    "mean us", "env-steps/s", "cpu us/call"));
            for (Row r : rows) {
                b.append(String.format(Locale.ROOT, "%-44s %9s %9s %9s %13s %12s%n", r.name(), fmt(r.p50Micros()),
                        fmt(r.p99Micros()), fmt(r.meanMicros()), r.envStepsPerSecond() > 0
                                ? String.format(Locale.ROOT, "%.0f", r.envStepsPerSecond()) : "-",
                        fmt(r.cpuMicrosPerCall())));
            }
            b.append(String.format(Locale.ROOT, "cpu us/call = CPU time of this whole JVM (client + server + GC) per call; "
                    + "load average %.2f on %d cores during the run%n", loadAverage,
                    Runtime.getRuntime().availableProcessors()));
            return b.toString();
        }

        /** The row named {@code name}. */
        public Row row(String name) {
            return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
        }

        private static String fmt(double v) {
            return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
        }
    }

    private RpcBench() {
    }

    public static Result run(Settings s) throws InterruptedException {
        GymRpcServer server = null;
        String target = s.target();
        if (target == null) {
            ServerConfig config = ServerConfig.defaults().withHost("127.0.0.1").withPort(0);
            try {
                server = new GymRpcServer(GymRpcServer.netty(config), config, EnvRegistry.standard()).start();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            target = "127.0.0.1:" + server.port();
        }
        String[] hp = target.split(":");
        ManagedChannel channel = NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1]))
                .usePlaintext()
                .directExecutor()
                .build();
        try {
            EnvServiceGrpc.EnvServiceBlockingStub stub = EnvServiceGrpc.newBlockingStub(channel);
            List<Row> rows = new ArrayList<>();
            // One untimed pass over the four latency paths first, so no row pays for the JIT compiling
            // the others' shared code (client, transport, server) while it is being timed.
            Settings warm = new Settings(s.envId(), Math.max(1, s.warmup() / 4), 0, s.batchSizes(), s.batchCalls(),
                    s.target());
            clientLatency(channel, warm, false);
            clientLatency(channel, warm, true);
            unaryLatency(stub, warm);
            streamLatency(channel, warm);
            rows.add(clientLatency(channel, s, false));
            rows.add(clientLatency(channel, s, true));
            rows.add(unaryLatency(stub, s));
            rows.add(streamLatency(channel, s));
            for (int n : s.batchSizes()) {
                rows.add(inProcessBatch(s, n));
                rows.add(unaryBatch(stub, s, n));
                rows.add(streamPipelined(channel, s, n, 32));
            }
            return new Result(s.envId(), s.target() == null ? "in-JVM" : "remote", rows, java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage());
        } finally {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
            if (server != null) {
                server.stop(Duration.ofSeconds(1));
            }
        }
    }

    private static Row latencyRow(String name, long[] nanos, long cpuNanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(Double.NaN);
        return new Row(name, sorted[(int) (sorted.length * 0.50)] / 1e3,
                sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1e3, mean / 1e3, Double.NaN,
                cpuNanos / 1e3 / nanos.length);
    }

    /** CPU time of the whole process so far (all threads), in nanoseconds. */
    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    /**
     * Step latency through the gymrpc Java client ({@link RemoteEnv}, unary or on a Session stream): the
     * figure an agent written against the env API sees, including action encoding and decoding the
     * observation and info. The client waits with {@link ResponseWait} (spin, then block); the two rows
     * after it use plain grpc-java stubs, which block at once, for reference.
     */
    private static Row clientLatency(ManagedChannel channel, Settings s, boolean stream) {
        @SuppressWarnings("unchecked")
        RemoteEnv<Object> env = (RemoteEnv<Object>) (stream ? RemoteEnv.makeOnStream(channel, s.envId(), Map.of())
                : RemoteEnv.make(channel, s.envId(), Map.of()));
        try (env) {
            SplittableRandom rng = new SplittableRandom(0);
            long[] nanos = new long[s.steps()];
            env.reset(0L);
            long cpu0 = 0;
            for (int i = -s.warmup(); i < s.steps(); i++) {
                if (i == 0) {
                    cpu0 = processCpuNanos();
                }
                Object action = env.actionSpace().sample(rng);
                long t0 = System.nanoTime();
                dev.gymrpc.envs.Step r = env.step(action);
                long dt = System.nanoTime() - t0;
                if (i >= 0) {
                    nanos[i] = dt;
                }
                if (r.terminated() || r.truncated()) {
                    env.reset();
                }
            }
            return latencyRow((stream ? "stream" : "unary") + " Step, gymrpc client (RemoteEnv)", nanos,
                    processCpuNanos() - cpu0);
        }
    }

    private static Row unaryLatency(EnvServiceGrpc.EnvServiceBlockingStub stub, Settings s) {
        MakeEnvResponse made = stub.makeEnv(MakeEnvRequest.newBuilder().setEnvId(s.envId()).build());
        String h = made.getHandle();
        Space<?> actions = Spaces.fromProto(made.getEnv().getActionSpace());
        SplittableRandom rng = new SplittableRandom(0);
        long[] nanos = new long[s.steps()];
        stub.reset(ResetRequest.newBuilder().setHandle(h).setSeed(0).build());
        long cpu0 = 0;
        for (int i = -s.warmup(); i < s.steps(); i++) {
            if (i == 0) {
                cpu0 = processCpuNanos();
            }
            StepRequest req = StepRequest.newBuilder().setHandle(h).setAction(Actions.encode(actions, actions.sample(rng)))
                    .build();
            long t0 = System.nanoTime();
            StepResponse r = stub.step(req);
            long dt = System.nanoTime() - t0;
            if (i >= 0) {
                nanos[i] = dt;
            }
            if (r.getTerminated() || r.getTruncated()) {
                stub.reset(ResetRequest.newBuilder().setHandle(h).build());
            }
        }
        long cpu = processCpuNanos() - cpu0;
        stub.closeEnv(CloseEnvRequest.newBuilder().setHandle(h).build());
        return latencyRow("unary Step, grpc blocking stub", nanos, cpu);
    }

    /** A Session stream with a blocking receive side. */
    private static final class Stream implements AutoCloseable {
        final BlockingQueue<SessionResponse> responses = new ArrayBlockingQueue<>(1024);
        final StreamObserver<SessionRequest> requests;

        Stream(ManagedChannel channel) {
            requests = EnvServiceGrpc.newStub(channel).session(new StreamObserver<>() {
                @Override
                public void onNext(SessionResponse value) {
                    responses.add(value);
                }

                @Override
                public void onError(Throwable t) {
                    responses.add(SessionResponse.newBuilder().setError(dev.gymrpc.proto.v1.Status.newBuilder()
                            .setCode(io.grpc.Status.fromThrowable(t).getCode().value()).setMessage(String.valueOf(t))).build());
                }

                @Override
                public void onCompleted() {
                }
            });
        }

        SessionResponse call(SessionRequest r) throws InterruptedException {
            requests.onNext(r);
            return take();
        }

        SessionResponse take() throws InterruptedException {
            SessionResponse resp = responses.poll(30, TimeUnit.SECONDS);
            if (resp == null) {
                throw new IllegalStateException("no response within 30 s");
            }
            if (resp.hasError()) {
                throw new IllegalStateException("stream request failed: " + resp.getError());
            }
            return resp;
        }

        @Override
        public void close() {
            requests.onCompleted();
        }
    }

    private static Row streamLatency(ManagedChannel channel, Settings s) throws InterruptedException {
        try (Stream st = new Stream(channel)) {
            MakeEnvResponse made = st.call(SessionRequest.newBuilder()
                    .setMakeEnv(MakeEnvRequest.newBuilder().setEnvId(s.envId())).build()).getMakeEnv();
            Space<?> actions = Spaces.fromProto(made.getEnv().getActionSpace());
            SplittableRandom rng = new SplittableRandom(0);
            st.call(SessionRequest.newBuilder().setReset(ResetRequest.newBuilder().setSeed(0)).build());
            long[] nanos = new long[s.steps()];
            long cpu0 = 0;
            for (int i = -s.warmup(); i < s.steps(); i++) {
                if (i == 0) {
                    cpu0 = processCpuNanos();
                }
                SessionRequest req = SessionRequest.newBuilder().setRequestId(i)
                        .setStep(StepRequest.newBuilder().setAction(Actions.encode(actions, actions.sample(rng)))).build();
                long t0 = System.nanoTime();
                StepResponse r = st.call(req).getStep();
                long dt = System.nanoTime() - t0;
                if (i >= 0) {
                    nanos[i] = dt;
                }
                if (r.getTerminated() || r.getTruncated()) {
                    st.call(SessionRequest.newBuilder().setReset(ResetRequest.getDefaultInstance()).build());
                }
            }
            return latencyRow("stream Step, async stub + blocking queue", nanos, processCpuNanos() - cpu0);
        }
    }

    private static List<Object> randomBatch(Space<?> space, int n, SplittableRandom rng) {
        List<Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(space.sample(rng));
        }
        return out;
    }

    private static Row inProcessBatch(Settings s, int n) {
        @SuppressWarnings("unchecked")
        VectorEnv<Object> env = (VectorEnv<Object>) VectorEnv.make(EnvRegistry.standard(), s.envId(), n, Map.of(),
                AutoresetMode.NEXT_STEP, 1);
        try (env) {
            SplittableRandom rng = new SplittableRandom(0);
            env.reset(0L);
            int warm = Math.max(2000, s.warmup() / n);
            for (int i = 0; i < warm; i++) {
                env.step(randomBatch(env.singleActionSpace(), n, rng));
            }
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            for (int i = 0; i < s.batchCalls(); i++) {
                env.step(randomBatch(env.singleActionSpace(), n, rng));
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Row("in-process VectorEnv.step N=" + n + " (no RPC)", Double.NaN, Double.NaN,
                    secs * 1e6 / s.batchCalls(), (double) n * s.batchCalls() / secs,
                    (processCpuNanos() - cpu0) / 1e3 / s.batchCalls());
        }
    }

    private static Row unaryBatch(EnvServiceGrpc.EnvServiceBlockingStub stub, Settings s, int n) {
        MakeVectorEnvResponse made = stub.makeVectorEnv(MakeVectorEnvRequest.newBuilder().setEnvId(s.envId())
                .setNumEnvs(n).setAutoresetMode(dev.gymrpc.proto.v1.AutoresetMode.AUTORESET_MODE_NEXT_STEP)
                .setThreads(1).build());
        String h = made.getHandle();
        Space<?> single = Spaces.fromProto(made.getEnv().getActionSpace());
        SplittableRandom rng = new SplittableRandom(0);
        stub.vectorReset(VectorResetRequest.newBuilder().setHandle(h).setSeed(0).build());
        int warm = Math.max(2000, s.warmup() / n);
        long[] nanos = new long[s.batchCalls()];
        long cpu0 = 0;
        for (int i = -warm; i < s.batchCalls(); i++) {
            if (i == 0) {
                cpu0 = processCpuNanos();
            }
            Tensor actions = Actions.encodeBatch(single, randomBatch(single, n, rng));
            long t0 = System.nanoTime();
            stub.vectorStep(VectorStepRequest.newBuilder().setHandle(h).setActions(actions).build());
            long dt = System.nanoTime() - t0;
            if (i >= 0) {
                nanos[i] = dt;
            }
        }
        long cpu = processCpuNanos() - cpu0;
        stub.closeEnv(CloseEnvRequest.newBuilder().setHandle(h).build());
        Row lat = latencyRow("unary VectorStep N=" + n, nanos, cpu);
        double total = Arrays.stream(nanos).sum() / 1e9;
        return new Row(lat.name(), lat.p50Micros(), lat.p99Micros(), lat.meanMicros(), (double) n * nanos.length / total,
                lat.cpuMicrosPerCall());
    }

    private static Row streamPipelined(ManagedChannel channel, Settings s, int n, int window) throws InterruptedException {
        try (Stream st = new Stream(channel)) {
            MakeVectorEnvResponse made = st.call(SessionRequest.newBuilder().setMakeVectorEnv(MakeVectorEnvRequest
                    .newBuilder().setEnvId(s.envId()).setNumEnvs(n).setThreads(1)).build()).getMakeVectorEnv();
            Space<?> single = Spaces.fromProto(made.getEnv().getActionSpace());
            st.call(SessionRequest.newBuilder().setVectorReset(VectorResetRequest.newBuilder().setSeed(0)).build());
            SplittableRandom rng = new SplittableRandom(0);
            int total = Math.max(200, s.steps() / n);
            int sent = 0;
            int received = 0;
            long t0 = 0;
            long cpu0 = 0;
            int warm = Math.max(2000, s.warmup() / n);
            for (int phase = 0; phase < 2; phase++) {
                int count = phase == 0 ? warm : total;
                sent = 0;
                received = 0;
                if (phase == 1) {
                    t0 = System.nanoTime();
                    cpu0 = processCpuNanos();
                }
                while (received < count) {
                    while (sent < count && sent - received < window) {
                        st.requests.onNext(SessionRequest.newBuilder().setRequestId(sent).setVectorStep(
                                VectorStepRequest.newBuilder().setActions(Actions.encodeBatch(single,
                                        randomBatch(single, n, rng)))).build());
                        sent++;
                    }
                    st.take();
                    received++;
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Row("stream VectorStep N=" + n + ", " + window + " in flight", Double.NaN, Double.NaN,
                    secs * 1e6 / total, (double) n * total / secs, (processCpuNanos() - cpu0) / 1e3 / total);
        }
    }
}
