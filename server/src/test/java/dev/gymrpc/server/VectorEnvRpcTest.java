package dev.gymrpc.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.client.RemoteVectorEnv;
import dev.gymrpc.server.env.EnvOperations;
import dev.gymrpc.envs.AutoresetMode;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.ResetNeededException;
import dev.gymrpc.envs.RgbImage;
import dev.gymrpc.envs.VectorEnv;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Batched stepping over gRPC: a remote vector env matches the in-process {@link VectorEnv} step for
 * step in every autoreset mode, with Gymnasium 1.x's autoreset semantics visible on the wire.
 */
class VectorEnvRpcTest {

    private InProcessServer fixture;

    @BeforeEach
    void start() {
        fixture = new InProcessServer();
    }

    @AfterEach
    void stop() throws InterruptedException {
        fixture.close();
    }

    @SuppressWarnings("unchecked")
    private RemoteVectorEnv<Integer> remote(int n, AutoresetMode mode, int threads) {
        return (RemoteVectorEnv<Integer>) RemoteVectorEnv.make(fixture.channel, "CartPole-v1", n, Map.of(), mode, threads);
    }

    @SuppressWarnings("unchecked")
    private static VectorEnv<Integer> local(int n, AutoresetMode mode) {
        return (VectorEnv<Integer>) VectorEnv.make(EnvRegistry.standard(), "CartPole-v1", n, Map.of(), mode, 1);
    }

    private static List<Integer> actions(SplittableRandom rng, int n) {
        List<Integer> a = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            a.add(rng.nextInt(2));
        }
        return a;
    }

    private static void assertSameStep(VectorEnv.VectorStep want, VectorEnv.VectorStep got, int t) {
        assertArrayEquals(want.observations(), got.observations(), "observations at step " + t);
        assertArrayEquals(want.rewards(), got.rewards(), "rewards at step " + t);
        assertArrayEquals(want.terminated(), got.terminated(), "terminated at step " + t);
        assertArrayEquals(want.truncated(), got.truncated(), "truncated at step " + t);
    }

    /** NEXT_STEP (the default): the call after an episode end returns the reset observation, reward 0, flags false. */
    @Test
    void nextStepAutoresetMatchesTheLocalVectorEnv() {
        int n = 4;
        try (RemoteVectorEnv<Integer> r = remote(n, AutoresetMode.NEXT_STEP, 2); VectorEnv<Integer> l = local(n,
                AutoresetMode.NEXT_STEP)) {
            assertEquals(AutoresetMode.NEXT_STEP, r.autoresetMode());
            assertArrayEquals(l.reset(10L).observations(), r.reset(10L).observations(), "seed + i per sub-env");
            SplittableRandom rng = new SplittableRandom(1);
            boolean[] endedBefore = new boolean[n];
            int autoresets = 0;
            for (int t = 0; t < 300; t++) {
                List<Integer> a = actions(rng, n);
                VectorEnv.VectorStep want = l.step(a);
                VectorEnv.VectorStep got = r.step(a);
                assertSameStep(want, got, t);
                for (int i = 0; i < n; i++) {
                    if (endedBefore[i]) {
                        autoresets++;
                        assertEquals(0.0, got.rewards()[i], "autoreset step reward");
                        assertFalse(got.terminated()[i] || got.truncated()[i], "autoreset step flags");
                    }
                    endedBefore[i] = got.terminated()[i] || got.truncated()[i];
                }
            }
            assertTrue(autoresets > 5, "episodes ended and were autoreset (" + autoresets + ")");
        }
    }

    /** SAME_STEP: reset at once; the final observation travels in that sub-env's info. */
    @Test
    void sameStepAutoresetPutsTheFinalObservationInInfo() {
        int n = 3;
        try (RemoteVectorEnv<Integer> r = remote(n, AutoresetMode.SAME_STEP, 1); VectorEnv<Integer> l = local(n,
                AutoresetMode.SAME_STEP)) {
            l.reset(5L);
            r.reset(5L);
            SplittableRandom rng = new SplittableRandom(2);
            int finals = 0;
            for (int t = 0; t < 200; t++) {
                List<Integer> a = actions(rng, n);
                VectorEnv.VectorStep want = l.step(a);
                VectorEnv.VectorStep got = r.step(a);
                assertSameStep(want, got, t);
                for (int i = 0; i < n; i++) {
                    if (got.terminated()[i] || got.truncated()[i]) {
                        finals++;
                        Object fin = got.infos().get(i).get("final_obs");
                        assertTrue(fin instanceof float[], "final_obs is a float32 array: " + got.infos().get(i));
                        assertArrayEquals((float[]) want.infos().get(i).get("final_obs"), (float[]) fin);
                        assertTrue(got.infos().get(i).containsKey("final_info"));
                    }
                }
            }
            assertTrue(finals > 3, "episodes ended in SAME_STEP mode (" + finals + ")");
        }
    }

    /** DISABLED: an ended sub-env must be reset with a mask; the others keep their observations. */
    @Test
    void disabledAutoresetNeedsAMaskedReset() {
        int n = 2;
        try (RemoteVectorEnv<Integer> r = remote(n, AutoresetMode.DISABLED, 1)) {
            assertThrows(ResetNeededException.class, () -> r.reset(0L, Map.of(), new boolean[] {true, false}),
                    "the first reset covers every sub-env");
            r.reset(0L);
            VectorEnv.VectorStep s;
            int t = 0;
            do {
                s = r.step(List.of(0, 1));
                t++;
            } while (!(s.terminated()[0] || s.truncated()[0] || s.terminated()[1] || s.truncated()[1]) && t < 500);
            int ended = s.terminated()[0] || s.truncated()[0] ? 0 : 1;
            float[] before = s.observations();
            assertThrows(ResetNeededException.class, () -> r.step(List.of(0, 0)));
            boolean[] mask = new boolean[n];
            mask[ended] = true;
            VectorEnv.VectorReset after = r.reset(null, Map.of(), mask);
            int other = 1 - ended;
            assertArrayEquals(Arrays.copyOfRange(before, other * 4, other * 4 + 4), after.observation(other),
                    "the unmasked sub-env keeps its observation");
            // Both sub-envs are steppable again (unless the other one ended in the same step).
            if (!(s.terminated()[other] || s.truncated()[other])) {
                r.step(List.of(0, 0));
            }
        }
    }

    @Test
    void threadsDoNotChangeResultsAndSubEnvsRender() {
        int n = 8;
        try (RemoteVectorEnv<Integer> one = remote(n, AutoresetMode.NEXT_STEP, 1);
             RemoteVectorEnv<Integer> many = remote(n, AutoresetMode.NEXT_STEP, 4)) {
            assertArrayEquals(one.reset(3L).observations(), many.reset(3L).observations());
            SplittableRandom rng = new SplittableRandom(9);
            for (int t = 0; t < 100; t++) {
                List<Integer> a = actions(rng, n);
                assertSameStep(one.step(a), many.step(a), t);
            }
            RgbImage img = many.render(7);
            assertEquals(img.width() * img.height() * 3, img.rgb().length);
            assertThrows(io.grpc.StatusRuntimeException.class, () -> many.render(8));
        }
        assertEquals(0, fixture.server.sessions().size());
    }

    @Test
    void theServerChoosesThreadsWhenAskedForZeroAndCapsEveryRequest() {
        int cores = Runtime.getRuntime().availableProcessors();
        try (RemoteVectorEnv<Integer> small = remote(8, AutoresetMode.NEXT_STEP, 0);
             RemoteVectorEnv<Integer> big = remote(64, AutoresetMode.NEXT_STEP, 0);
             RemoteVectorEnv<Integer> greedy = remote(2, AutoresetMode.NEXT_STEP, 1000)) {
            assertEquals(1, small.threads());
            assertEquals(Math.min(4, cores), big.threads());
            assertEquals(Math.min(2, cores), greedy.threads());
        }
        assertEquals(1, EnvOperations.vectorThreads(0, 15, 8));
        assertEquals(2, EnvOperations.vectorThreads(0, 32, 8));
        assertEquals(4, EnvOperations.vectorThreads(0, 64, 8));
        assertEquals(2, EnvOperations.vectorThreads(0, 64, 2));
        assertEquals(1, EnvOperations.vectorThreads(1, 64, 8));
        assertEquals(3, EnvOperations.vectorThreads(5, 3, 8));
    }

    /**
     * Protocol 1.1's packed batch carries exactly what the 1.0 form does: the same observation bits as
     * little-endian float32 bytes, the same rewards and flags, and the same infos (left out only when every
     * one is empty). Two vector envs with one seed and one action sequence, one asked for each form; a 1.0
     * client (no batch_encoding) still gets the 1.0 form.
     */
    @Test
    void packedBatchEncodingCarriesTheSameBatchAsThe10Form() {
        var stub = dev.gymrpc.proto.v1.EnvServiceGrpc.newBlockingStub(fixture.channel);
        int n = 5;
        String[] handles = new String[2];
        for (int k = 0; k < 2; k++) {
            handles[k] = stub.makeVectorEnv(dev.gymrpc.proto.v1.MakeVectorEnvRequest.newBuilder()
                    .setEnvId("CartPole-v1").setNumEnvs(n).setThreads(2)
                    .setAutoresetMode(dev.gymrpc.proto.v1.AutoresetMode.AUTORESET_MODE_SAME_STEP).build()).getHandle();
            stub.vectorReset(dev.gymrpc.proto.v1.VectorResetRequest.newBuilder().setHandle(handles[k]).setSeed(7).build());
        }
        SplittableRandom rng = new SplittableRandom(3);
        int withInfos = 0;
        int withoutInfos = 0;
        for (int t = 0; t < 300; t++) {
            dev.gymrpc.proto.v1.Int64Array.Builder a = dev.gymrpc.proto.v1.Int64Array.newBuilder();
            for (int i = 0; i < n; i++) {
                a.addValues(rng.nextInt(2));
            }
            dev.gymrpc.proto.v1.Tensor actions = dev.gymrpc.proto.v1.Tensor.newBuilder().addShape(n).setInt64S(a).build();
            dev.gymrpc.proto.v1.VectorStepResponse old = stub.vectorStep(dev.gymrpc.proto.v1.VectorStepRequest
                    .newBuilder().setHandle(handles[0]).setActions(actions).build());
            dev.gymrpc.proto.v1.VectorStepResponse packed = stub.vectorStep(dev.gymrpc.proto.v1.VectorStepRequest
                    .newBuilder().setHandle(handles[1]).setActions(actions)
                    .setBatchEncoding(dev.gymrpc.proto.v1.BatchEncoding.BATCH_ENCODING_PACKED).build());
            assertTrue(old.hasObservations() && old.getPackedObservations().isEmpty(), "1.0 form at step " + t);
            assertEquals(n, old.getInfosCount());
            assertFalse(packed.hasObservations(), "packed form leaves the observations tensor unset");
            float[] want = dev.gymrpc.proto.wire.Tensors.toFloats(old.getObservations());
            java.nio.FloatBuffer got = packed.getPackedObservations().asReadOnlyByteBuffer()
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            assertEquals(want.length * 4, packed.getPackedObservations().size());
            for (int i = 0; i < want.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got.get(i)), "element " + i);
            }
            assertEquals(old.getRewardsList(), packed.getRewardsList());
            assertEquals(old.getTerminatedList(), packed.getTerminatedList());
            assertEquals(old.getTruncatedList(), packed.getTruncatedList());
            if (old.getInfosList().stream().allMatch(m -> m.getFieldsCount() == 0)) {
                assertEquals(0, packed.getInfosCount(), "all-empty infos are left out at step " + t);
                withoutInfos++;
            } else {
                assertEquals(old.getInfosList(), packed.getInfosList(), "infos at step " + t);
                withInfos++;
            }
        }
        assertTrue(withInfos > 3 && withoutInfos > 100, withInfos + " steps with infos, " + withoutInfos + " without");
    }
}
