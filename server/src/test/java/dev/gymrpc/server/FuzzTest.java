package dev.gymrpc.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import dev.gymrpc.client.RemoteEnv;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.Step;
import dev.gymrpc.server.agent.AgentRuntime;
import dev.gymrpc.server.agent.FakeBackend;
import dev.gymrpc.server.jobs.JobsConfig;
import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes every rpc of the real server (env service, agent service on a fake backend, health, reflection)
 * over loopback TCP: random bytes, random well-formed messages and mutations of them, on unary, server
 * streaming and bidirectional calls, plus one oversized message per rpc. Asserts that no call ends
 * UNKNOWN or INTERNAL, that an undecodable request is INVALID_ARGUMENT and an oversized one
 * RESOURCE_EXHAUSTED, and that two bystander envs (one unary, one on a Session stream, on the same
 * connection) follow exactly the trajectory of a local env throughout. The count is bounded (seeded, a
 * few thousand calls) so it fits CI.
 */
class FuzzTest {

    private static final long SEED = 20261201L;
    private static final int ROUNDS = 60;
    private static final int MAX_MESSAGE_BYTES = 64 * 1024;
    private static final List<String> ENV_IDS = List.of("CartPole-v1", "FourRooms-v0", "LunarLander-v3", "Nope-v9", "");

    @TempDir
    Path store;

    private AgentRuntime runtime;
    private GymRpcServer server;
    private ManagedChannel channel;
    private final SplittableRandom rng = new SplittableRandom(SEED);
    /** Ids the server handed out during the fuzz run (handles, job ids), reused in later messages. */
    private final List<String> harvested = new ArrayList<>();
    private final Map<Status.Code, Integer> codes = new EnumMap<>(Status.Code.class);
    private final Map<String, Integer> calls = new TreeMap<>();

    @BeforeEach
    void start() throws IOException {
        runtime = new AgentRuntime(store, new JobsConfig(1, 4, Duration.ofSeconds(5)), FakeBackend.slow(), EnvRegistry.standard());
        ServerConfig config = ServerConfig.defaults().withHost("127.0.0.1").withPort(0).withStore(store)
                .withMaxMessageBytes(MAX_MESSAGE_BYTES);
        server = new GymRpcServer(GymRpcServer.netty(config), config, EnvRegistry.standard(),
                List.<BindableService>of(runtime.service())).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .maxInboundMessageSize(16 * 1024 * 1024).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
        server.stop(Duration.ofSeconds(2));
    }

    @Test
    void noRpcAnswersUnknownAndBystandersAreUndisturbed() {
        List<MethodDescriptor> methods = new ArrayList<>();
        for (ServerServiceDefinition s : server.services()) {
            Object schema = s.getServiceDescriptor().getSchemaDescriptor();
            assertTrue(schema instanceof ProtoServiceDescriptorSupplier, s.getServiceDescriptor().getName());
            methods.addAll(((ProtoServiceDescriptorSupplier) schema).getServiceDescriptor().getMethods());
        }
        assertTrue(methods.size() >= 25, "every service's rpcs are fuzzed: " + methods.size());

        Bystander unary = new Bystander(RemoteEnv.make(channel, "CartPole-v1", Map.of(), Integer.class), 1);
        @SuppressWarnings("unchecked")
        Bystander stream = new Bystander((Env<Integer>) RemoteEnv.makeOnStream(channel, "CartPole-v1", Map.of()), 2);
        int bystanderSessions = server.sessions().size();

        for (MethodDescriptor m : methods) {
            Outcome o = call(m, List.of(randomBytes(MAX_MESSAGE_BYTES + 1 + rng.nextInt(1000))), 1);
            count(m, o.status);
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, o.status.getCode(), m.getFullName() + " oversized: " + o.status);
        }
        for (int round = 0; round < ROUNDS; round++) {
            for (MethodDescriptor m : methods) {
                int messages = m.isClientStreaming() ? 1 + rng.nextInt(4) : 1;
                List<byte[]> requests = new ArrayList<>();
                boolean undecodable = false;
                for (int i = 0; i < messages; i++) {
                    int kind = rng.nextInt(3);
                    byte[] b = switch (kind) {
                        case 0 -> randomBytes(rng.nextInt(4) == 0 ? rng.nextInt(4096) : rng.nextInt(48));
                        case 1 -> randomMessage(m.getInputType(), 0).toByteArray();
                        default -> mutate(randomMessage(m.getInputType(), 0).toByteArray());
                    };
                    undecodable |= kind != 1 && !decodes(m.getInputType(), b);
                    requests.add(b);
                }
                Outcome o = call(m, requests, 1);
                count(m, o.status);
                Status.Code c = o.status.getCode();
                if (c == Status.Code.UNKNOWN || c == Status.Code.INTERNAL) {
                    fail(m.getFullName() + " answered " + o.status + " (cause " + o.status.getCause() + ") in round " + round);
                }
                if (undecodable && !m.isClientStreaming()) {
                    assertEquals(Status.Code.INVALID_ARGUMENT, c, m.getFullName() + " undecodable: " + o.status);
                    assertTrue(o.status.getDescription().contains("not a valid"), o.status.getDescription());
                }
                harvest(m, o.responses);
            }
            unary.step(round);
            stream.step(round);
        }

        // Healthy after, bystanders intact, and the Session streams the fuzz ended released their envs.
        HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
        unary.step(ROUNDS);
        stream.step(ROUNDS);
        assertTrue(server.sessions().size() >= bystanderSessions, "the bystanders' sessions are still open");
        System.out.println("FuzzTest: " + calls.values().stream().mapToInt(Integer::intValue).sum() + " calls over "
                + methods.size() + " rpcs; status codes " + codes);
    }

    @Test
    void undecodableStreamMessageEndsOnlyThatStreamAndFreesItsEnvs() throws Exception {
        MethodDescriptor session = dev.gymrpc.proto.v1.EnvProto.getDescriptor().findServiceByName("EnvService")
                .findMethodByName("Session");
        Bystander other = new Bystander(RemoteEnv.make(channel, "CartPole-v1", Map.of(), Integer.class), 3);
        int before = server.sessions().size();
        byte[] make = dev.gymrpc.proto.v1.SessionRequest.newBuilder().setRequestId(1)
                .setMakeEnv(dev.gymrpc.proto.v1.MakeEnvRequest.newBuilder().setEnvId("CartPole-v1")).build().toByteArray();
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02};
        Outcome o = call(session, List.of(make, garbage, make), 10);
        assertEquals(Status.Code.INVALID_ARGUMENT, o.status.getCode(), o.status.toString());
        assertTrue(o.status.getDescription().contains("gymrpc.v1.SessionRequest"), o.status.getDescription());
        assertEquals(1, o.responses.size(), "the valid request before the bad one was answered, none after");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.sessions().size() != before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(before, server.sessions().size(), "the env made on the rejected stream was closed");
        other.step(0);
    }

    @Test
    void aKilledClientsStreamFreesItsEnvs() throws Exception {
        int before = server.sessions().size();
        ManagedChannel doomed = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        Env<?> env = RemoteEnv.makeOnStream(doomed, "LunarLander-v3", Map.of());
        env.reset(0);
        assertEquals(before + 1, server.sessions().size());
        doomed.shutdownNow(); // the connection goes away mid-stream: no CloseEnv, no half-close
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.sessions().size() != before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(before, server.sessions().size(), "the dropped stream's env was closed, not left to the idle reaper");
    }

    // ---------------------------------------------------------------- calls

    private record Outcome(Status status, List<byte[]> responses) {
    }

    private static final io.grpc.MethodDescriptor.Marshaller<byte[]> RAW = new io.grpc.MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /** Sends {@code requests} raw, half-closes, and cancels after {@code maxResponses} responses. */
    private Outcome call(MethodDescriptor m, List<byte[]> requests, int maxResponses) {
        io.grpc.MethodDescriptor.MethodType type = m.isClientStreaming()
                ? (m.isServerStreaming() ? io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING
                        : io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING)
                : (m.isServerStreaming() ? io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING
                        : io.grpc.MethodDescriptor.MethodType.UNARY);
        io.grpc.MethodDescriptor<byte[], byte[]> md = io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type).setFullMethodName(io.grpc.MethodDescriptor.generateFullMethodName(
                        m.getService().getFullName(), m.getName()))
                .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();
        ClientCall<byte[], byte[]> call = channel.newCall(md, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
        CompletableFuture<Status> done = new CompletableFuture<>();
        List<byte[]> responses = new ArrayList<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(byte[] message) {
                synchronized (responses) {
                    responses.add(message);
                    if (responses.size() >= maxResponses) {
                        call.cancel("the fuzz test has seen enough", null);
                    }
                }
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                done.complete(status);
            }
        }, new Metadata());
        call.request(Integer.MAX_VALUE);
        try {
            for (byte[] r : requests) {
                call.sendMessage(r);
            }
            call.halfClose();
        } catch (IllegalStateException cancelledAfterEnoughResponses) {
            // this test cancelled the call in onMessage; its status says so
        }
        Status status = done.join();
        synchronized (responses) {
            return new Outcome(status, List.copyOf(responses));
        }
    }

    private void count(MethodDescriptor m, Status s) {
        codes.merge(s.getCode(), 1, Integer::sum);
        calls.merge(m.getFullName(), 1, Integer::sum);
    }

    /** Remembers handles and ids from well-formed responses, so later messages name real objects. */
    private void harvest(MethodDescriptor m, List<byte[]> responses) {
        for (byte[] r : responses) {
            try {
                DynamicMessage msg = DynamicMessage.parseFrom(m.getOutputType(), r);
                for (Map.Entry<FieldDescriptor, Object> e : msg.getAllFields().entrySet()) {
                    String n = e.getKey().getName();
                    if ((n.equals("handle") || n.endsWith("_id")) && e.getValue() instanceof String v && !v.isEmpty()
                            && harvested.size() < 64) {
                        harvested.add(v);
                    }
                }
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                fail(m.getFullName() + " sent a response that is not its output type: " + e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- payloads

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rng.nextInt(256);
        }
        return b;
    }

    private static boolean decodes(Descriptor type, byte[] b) {
        try {
            DynamicMessage.parseFrom(type, b);
            return true;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return false;
        }
    }

    /** One to three byte-level mutations: flip a bit, overwrite, truncate, insert, duplicate a slice. */
    private byte[] mutate(byte[] b) {
        byte[] out = b;
        for (int k = 1 + rng.nextInt(3); k > 0; k--) {
            int n = out.length;
            int i = n == 0 ? 0 : rng.nextInt(n);
            switch (rng.nextInt(5)) {
                case 0 -> {
                    if (n > 0) {
                        out = out.clone();
                        out[i] ^= (byte) (1 << rng.nextInt(8));
                    }
                }
                case 1 -> {
                    if (n > 0) {
                        out = out.clone();
                        out[i] = (byte) rng.nextInt(256);
                    }
                }
                case 2 -> out = java.util.Arrays.copyOf(out, i);
                case 3 -> {
                    byte[] ins = randomBytes(1 + rng.nextInt(8));
                    byte[] x = new byte[n + ins.length];
                    System.arraycopy(out, 0, x, 0, i);
                    System.arraycopy(ins, 0, x, i, ins.length);
                    System.arraycopy(out, i, x, i + ins.length, n - i);
                    out = x;
                }
                default -> {
                    int len = n - i;
                    byte[] x = java.util.Arrays.copyOf(out, n + len);
                    System.arraycopy(out, i, x, n, len);
                    out = x;
                }
            }
        }
        return out;
    }

    /** A well-formed message of {@code type} with random fields, values drawn to hit edge cases. */
    private Message randomMessage(Descriptor type, int depth) {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
        for (FieldDescriptor f : type.getFields()) {
            if (rng.nextInt(3) == 0) {
                continue;
            }
            if (f.isRepeated()) {
                int n = rng.nextInt(4);
                for (int i = 0; i < n; i++) {
                    Object v = randomValue(f, depth);
                    if (v != null) {
                        b.addRepeatedField(f, v);
                    }
                }
            } else {
                Object v = randomValue(f, depth);
                if (v != null) {
                    b.setField(f, v);
                }
            }
        }
        return b.build();
    }

    private Object randomValue(FieldDescriptor f, int depth) {
        return switch (f.getJavaType()) {
            case INT -> pick(new int[] {0, 1, 2, 3, 4, -1, 7, 100, Integer.MAX_VALUE, Integer.MIN_VALUE});
            case LONG -> (long) pick(new int[] {0, 1, 2, 5, -1, 1000, Integer.MAX_VALUE, Integer.MIN_VALUE});
            case FLOAT -> (float) pickDouble();
            case DOUBLE -> pickDouble();
            case BOOLEAN -> rng.nextBoolean();
            case STRING -> randomString(f.getName());
            case BYTE_STRING -> ByteString.copyFrom(randomBytes(rng.nextInt(4) == 0 ? 4 * rng.nextInt(9) : rng.nextInt(5)));
            case ENUM -> {
                List<EnumValueDescriptor> values = f.getEnumType().getValues();
                yield rng.nextInt(8) == 0 ? f.getEnumType().findValueByNumberCreatingIfUnknown(99)
                        : values.get(rng.nextInt(values.size()));
            }
            case MESSAGE -> depth < 4 ? randomMessage(f.getMessageType(), depth + 1)
                    : DynamicMessage.getDefaultInstance(f.getMessageType());
        };
    }

    private int pick(int[] values) {
        return values[rng.nextInt(values.length)];
    }

    private double pickDouble() {
        double[] v = {0, 1, -1, 0.5, Double.NaN, Double.POSITIVE_INFINITY, -1e30, 1e-40};
        return rng.nextInt(3) == 0 ? rng.nextDouble() : v[rng.nextInt(v.length)];
    }

    private String randomString(String field) {
        if (field.equals("env_id") || field.equals("id")) {
            return ENV_IDS.get(rng.nextInt(ENV_IDS.size()));
        }
        if (!harvested.isEmpty() && rng.nextBoolean()) {
            return harvested.get(rng.nextInt(harvested.size()));
        }
        String[] odd = {"", "x", "../../etc/passwd", "job-00000000", "model-x", "\u00e9\u4e2d\ud83d\ude00", " ", "gymrpc.v1.EnvService"};
        return odd[rng.nextInt(odd.length)];
    }

    // ---------------------------------------------------------------- bystanders

    /** A remote CartPole stepped between fuzz rounds and compared bit for bit with a local one. */
    private static final class Bystander {
        private final Env<Integer> remote;
        private final Env<Integer> local;
        private final long seed;

        Bystander(Env<Integer> remote, long seed) {
            this.remote = remote;
            this.local = EnvRegistry.standard().make("CartPole-v1", Map.of(), Integer.class);
            this.seed = seed;
            reset(0);
        }

        private void reset(int round) {
            Reset r = remote.reset(seed * 1000 + round);
            Reset l = local.reset(seed * 1000 + round);
            assertArrayEquals(l.observation(), r.observation(), "bystander reset");
        }

        void step(int round) {
            for (int i = 0; i < 5; i++) {
                int a = (round + i) % 2;
                Step r = remote.step(a);
                Step l = local.step(a);
                assertArrayEquals(l.observation(), r.observation(), "bystander step in round " + round);
                assertEquals(l.reward(), r.reward());
                if (l.done()) {
                    assertEquals(l.terminated(), r.terminated());
                    reset(round + 1);
                }
            }
        }
    }
}
