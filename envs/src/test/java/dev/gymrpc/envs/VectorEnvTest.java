package dev.gymrpc.envs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VectorEnvTest {

    @SuppressWarnings("unchecked")
    private static VectorEnv<Integer> make(String id, int n, Map<String, ?> opts, AutoresetMode mode, int threads) {
        return (VectorEnv<Integer>) VectorEnv.make(EnvRegistry.standard(), id, n, opts, mode, threads);
    }

    @Test
    void subEnvIIsSeededWithSeedPlusI() {
        try (VectorEnv<Integer> vec = make("CartPole-v1", 4, Map.of(), AutoresetMode.NEXT_STEP, 1);
             Env<?> single = EnvRegistry.standard().make("CartPole-v1")) {
            VectorEnv.VectorReset r = vec.reset(100L);
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(single.reset(100L + i, Map.of()).observation(), r.observation(i));
            }
        }
    }

    @Test
    void nextStepAutoresetIgnoresTheActionAndReturnsTheResetObservation() {
        try (VectorEnv<Integer> vec = make("FourRooms-v0", 2, Map.of("max_episode_steps", 3),
                AutoresetMode.NEXT_STEP, 1)) {
            vec.reset(0L);
            List<Integer> actions = List.of(1, 1);
            VectorEnv.VectorStep s = null;
            for (int t = 0; t < 3; t++) {
                s = vec.step(actions);
            }
            assertTrue(s.truncated()[0] && s.truncated()[1]);
            VectorEnv.VectorStep next = vec.step(List.of(0, 0));
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(new float[] {0f, 0f}, next.observation(i), "reset observation");
                assertEquals(0.0, next.rewards()[i]);
                assertFalse(next.terminated()[i] || next.truncated()[i]);
            }
            // ...and the episode continues normally afterwards.
            assertEquals(-1.0, vec.step(List.of(0, 0)).rewards()[0]);
        }
    }

    @Test
    void sameStepAutoresetPutsTheFinalObservationInInfo() {
        try (VectorEnv<Integer> vec = make("FourRooms-v0", 1, Map.of("max_episode_steps", 2, "slip_prob", 0.0),
                AutoresetMode.SAME_STEP, 1)) {
            vec.reset(0L);
            vec.step(List.of(3));
            VectorEnv.VectorStep s = vec.step(List.of(3));
            assertTrue(s.truncated()[0]);
            assertArrayEquals(new float[] {0f, 0f}, s.observation(0), "already reset");
            assertArrayEquals(new float[] {0.2f, 0f}, (float[]) s.infos().get(0).get("final_obs"));
        }
    }

    @Test
    void disabledAutoresetRequiresAMaskedReset() {
        try (VectorEnv<Integer> vec = make("FourRooms-v0", 2, Map.of("max_episode_steps", 1),
                AutoresetMode.DISABLED, 1)) {
            vec.reset(0L);
            vec.step(List.of(0, 0));
            assertThrows(ResetNeededException.class, () -> vec.step(List.of(0, 0)));
            // Only sub-env 0 reset: the batch is refused as a whole and sub-env 0 is not stepped.
            vec.reset(null, Map.of(), new boolean[] {true, false});
            assertThrows(ResetNeededException.class, () -> vec.step(List.of(0, 0)));
            vec.reset(null, Map.of(), new boolean[] {false, true});
            VectorEnv.VectorStep s = vec.step(List.of(0, 0));
            assertTrue(s.truncated()[0] && s.truncated()[1], "both sub-envs took exactly their first step");
        }
    }

    @Test
    void parallelSteppingGivesTheSameResultsAsSerial() {
        int n = 16;
        try (VectorEnv<Integer> serial = make("CartPole-v1", n, Map.of(),
                AutoresetMode.NEXT_STEP, 1);
             VectorEnv<Integer> parallel = make("CartPole-v1", n, Map.of(), AutoresetMode.NEXT_STEP, 3)) {
            VectorEnv.VectorReset a = serial.reset(7L);
            VectorEnv.VectorReset b = parallel.reset(7L);
            assertArrayEquals(a.observations(), b.observations());
            java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
            for (int t = 0; t < 300; t++) {
                List<Integer> actions = new ArrayList<>(Collections.nCopies(n, 0));
                for (int i = 0; i < n; i++) {
                    actions.set(i, rng.nextInt(2));
                }
                VectorEnv.VectorStep x = serial.step(actions);
                VectorEnv.VectorStep y = parallel.step(actions);
                assertArrayEquals(x.observations(), y.observations());
                assertArrayEquals(x.rewards(), y.rewards());
                assertArrayEquals(x.terminated(), y.terminated());
                assertArrayEquals(x.truncated(), y.truncated());
            }
        }
    }

    @Test
    void aBadActionInTheBatchStepsNothing() {
        try (VectorEnv<Integer> vec = make("CartPole-v1", 3, Map.of(), AutoresetMode.NEXT_STEP, 1)) {
            VectorEnv.VectorReset r = vec.reset(0L);
            InvalidActionException e = assertThrows(InvalidActionException.class, () -> vec.step(List.of(0, 5, 1)));
            assertTrue(e.getMessage().contains("sub-env 1"), e.getMessage());
            assertThrows(InvalidActionException.class, () -> vec.step(List.of(0, 1)));
            // Nothing moved: stepping now from the reset state equals a fresh env's first step.
            VectorEnv.VectorStep s = vec.step(List.of(1, 1, 1));
            try (Env<?> single = EnvRegistry.standard().make("CartPole-v1")) {
                single.reset(0L, Map.of());
                assertArrayEquals(single.stepObject(1).observation(), s.observation(0));
            }
            assertEquals(r.observationSize(), 4);
        }
    }
}
