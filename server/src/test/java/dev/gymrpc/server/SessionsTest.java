package dev.gymrpc.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.client.RemoteEnv;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.InvalidActionException;
import dev.gymrpc.envs.Step;
import dev.gymrpc.proto.v1.CloseEnvRequest;
import dev.gymrpc.proto.v1.EnvServiceGrpc;
import dev.gymrpc.proto.v1.MakeEnvRequest;
import dev.gymrpc.proto.v1.ResetRequest;
import dev.gymrpc.proto.v1.StepRequest;
import dev.gymrpc.proto.wire.ErrorReasons;
import dev.gymrpc.proto.wire.Tensors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Session handles: unguessable, capped, reclaimed when idle, serialised per handle, isolated between clients. */
class SessionsTest {

    private static String make(EnvServiceGrpc.EnvServiceBlockingStub stub, String id) {
        return stub.makeEnv(MakeEnvRequest.newBuilder().setEnvId(id).build()).getHandle();
    }

    @Test
    void handlesAre128RandomBitsAndDistinct() throws Exception {
        try (InProcessServer f = new InProcessServer()) {
            EnvServiceGrpc.EnvServiceBlockingStub stub = EnvServiceGrpc.newBlockingStub(f.channel);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                String h = make(stub, "CartPole-v1");
                assertTrue(h.matches("[0-9a-f]{32}"), h);
                assertTrue(seen.add(h));
                stub.closeEnv(CloseEnvRequest.newBuilder().setHandle(h).build());
            }
        }
    }

    @Test
    void theSessionCapIsResourceExhaustedAndClosingFreesASlot() throws Exception {
        try (InProcessServer f = new InProcessServer(ServerConfig.defaults().withMaxSessions(2))) {
            EnvServiceGrpc.EnvServiceBlockingStub stub = EnvServiceGrpc.newBlockingStub(f.channel);
            String a = make(stub, "CartPole-v1");
            make(stub, "FourRooms-v0");
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> make(stub, "CartPole-v1"));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
            assertEquals(ErrorReasons.SESSION_LIMIT, e.getTrailers().get(ErrorReasons.REASON_KEY));
            assertTrue(e.getStatus().getDescription().contains("CloseEnv"), "says how to free a slot: "
                    + e.getStatus().getDescription());
            assertEquals(2, f.server.sessions().size());
            stub.closeEnv(CloseEnvRequest.newBuilder().setHandle(a).build());
            make(stub, "CartPole-v1");
            assertEquals(2, f.server.sessions().size());
        }
    }

    @Test
    void idleSessionsAreReclaimedAndBusyOnesAreNot() throws Exception {
        try (InProcessServer f = new InProcessServer(ServerConfig.defaults().withIdleTimeout(Duration.ofMillis(300)))) {
            EnvServiceGrpc.EnvServiceBlockingStub stub = EnvServiceGrpc.newBlockingStub(f.channel);
            String idle = make(stub, "CartPole-v1");
            String busy = make(stub, "CartPole-v1");
            stub.reset(ResetRequest.newBuilder().setHandle(busy).setSeed(0).build());
            // Touch `busy` every 50 ms for at least three idle timeouts while `idle` sits untouched.
            long start = System.nanoTime();
            long minimum = TimeUnit.MILLISECONDS.toNanos(900);
            long deadline = start + TimeUnit.SECONDS.toNanos(10);
            boolean reclaimed = false;
            while (System.nanoTime() < deadline && !(reclaimed && System.nanoTime() - start > minimum)) {
                stub.reset(ResetRequest.newBuilder().setHandle(busy).build());
                reclaimed = f.server.sessions().size() == 1;
                Thread.sleep(50);
            }
            assertTrue(reclaimed, "the idle handle was reclaimed");
            StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () ->
                    stub.reset(ResetRequest.newBuilder().setHandle(idle).build()));
            assertEquals(ErrorReasons.UNKNOWN_HANDLE, gone.getTrailers().get(ErrorReasons.REASON_KEY));
            assertTrue(gone.getStatus().getDescription().contains("reclaimed"), gone.getStatus().getDescription());
            // The busy handle survived.
            stub.step(StepRequest.newBuilder().setHandle(busy).setAction(Tensors.scalar(0)).build());
        }
    }

    /** Concurrent calls on one handle run one at a time (envs are not thread-safe). */
    @Test
    void concurrentCallsOnOneHandleAreSerialised() throws Exception {
        TestEnvs.Probe.MAX_INSIDE.set(0);
        try (InProcessServer f = new InProcessServer()) {
            EnvServiceGrpc.EnvServiceBlockingStub stub = EnvServiceGrpc.newBlockingStub(f.channel);
            String h = make(stub, "Probe-v0");
            stub.reset(ResetRequest.newBuilder().setHandle(h).setSeed(0).build());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < 25; i++) {
                            stub.step(StepRequest.newBuilder().setHandle(h).setAction(Tensors.scalar(0)).build());
                        }
                    }));
                }
                for (Future<?> fu : futures) {
                    fu.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, TestEnvs.Probe.MAX_INSIDE.get(), "never two steps inside one env at once");
            float steps = stub.step(StepRequest.newBuilder().setHandle(h).setAction(Tensors.scalar(0)).build())
                    .getObservation().getFloats().getValues(0);
            assertEquals(101f, steps, "every one of the 100 concurrent steps happened exactly once");
        }
    }

    /**
     * Several clients at once, each with its own env and seed, get exactly the trajectory a local env
     * gives for that seed, while another client sends bad actions and crashes its env: no interference.
     */
    @Test
    void concurrentSessionsAreIsolated() throws Exception {
        try (InProcessServer f = new InProcessServer()) {
            int clients = 6;
            ExecutorService pool = Executors.newFixedThreadPool(clients + 1);
            try {
                List<Future<List<Object>>> remote = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    long seed = 100 + c;
                    remote.add(pool.submit(() -> {
                        try (Env<?> env = RemoteEnv.make(f.channel, "CartPole-v1", Map.of())) {
                            return rollout(env, seed);
                        }
                    }));
                }
                Future<?> vandal = pool.submit((Callable<Void>) () -> {
                    EnvServiceGrpc.EnvServiceBlockingStub stub = EnvServiceGrpc.newBlockingStub(f.channel);
                    for (int i = 0; i < 30; i++) {
                        String h = make(stub, "Faulty-v0");
                        stub.reset(ResetRequest.newBuilder().setHandle(h).build());
                        if (i < 2) {
                            // a server-side fault (logged with its stack trace, so only twice)
                            assertThrows(StatusRuntimeException.class, () -> stub.step(StepRequest.newBuilder()
                                    .setHandle(h).setAction(Tensors.scalar(1)).build()));
                        }
                        assertThrows(StatusRuntimeException.class, () -> stub.step(StepRequest.newBuilder()
                                .setHandle(h).setAction(Tensors.scalar(7)).build()));
                        stub.closeEnv(CloseEnvRequest.newBuilder().setHandle(h).build());
                    }
                    return null;
                });
                vandal.get(60, TimeUnit.SECONDS);
                for (int c = 0; c < clients; c++) {
                    List<Object> expected;
                    try (Env<?> local = EnvRegistry.standard().make("CartPole-v1")) {
                        expected = rollout(local, 100 + c);
                    }
                    List<Object> got = remote.get(c).get(60, TimeUnit.SECONDS);
                    assertEquals(expected.size(), got.size());
                    for (int i = 0; i < got.size(); i++) {
                        if (got.get(i) instanceof float[] g) {
                            assertArrayEquals((float[]) expected.get(i), g, "client " + c + " entry " + i);
                        } else {
                            assertEquals(expected.get(i), got.get(i), "client " + c + " entry " + i);
                        }
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0, f.server.sessions().size(), "every client closed its env");
        }
    }

    private static List<Object> rollout(Env<?> env, long seed) {
        List<Object> out = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(seed);
        out.add(env.reset(seed, Map.of()).observation());
        for (int t = 0; t < 200; t++) {
            Step s = env.stepObject(env.actionSpace().sample(rng));
            out.add(s.observation());
            out.add(s.reward());
            out.add(s.terminated());
            out.add(s.truncated());
            if (s.done()) {
                out.add(env.reset().observation());
            }
        }
        // A bad action in the middle changes nothing.
        assertThrows(InvalidActionException.class, () -> env.stepObject(5));
        return out;
    }

    @Test
    void remoteEnvHandlesDiffer() throws Exception {
        try (InProcessServer f = new InProcessServer();
             RemoteEnv<?> a = RemoteEnv.make(f.channel, "CartPole-v1", Map.of());
             RemoteEnv<?> b = RemoteEnv.make(f.channel, "CartPole-v1", Map.of())) {
            assertNotEquals(a.handle(), b.handle());
        }
    }
}
