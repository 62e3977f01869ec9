package dev.gymrpc.envs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SpacesAndRegistryTest {

    @Test
    void discreteWithStart() {
        Discrete d = new Discrete(3, -1);
        assertTrue(d.contains(-1) && d.contains(1));
        assertFalse(d.contains(2) || d.contains(-2));
        SplittableRandom rng = new SplittableRandom(0);
        for (int i = 0; i < 1000; i++) {
            assertTrue(d.contains(d.sample(rng)));
        }
        assertThrows(IllegalArgumentException.class, () -> new Discrete(0));
        assertThrows(InvalidActionException.class, () -> d.cast(1.5));
        assertEquals(2, d.cast(2L));
    }

    @Test
    void boxContainsChecksShapeBoundsNaNAndIntegrality() {
        Box b = Box.of(new float[] {-1, 0}, new float[] {1, Float.POSITIVE_INFINITY});
        assertTrue(b.contains(new float[] {0.5f, 1e30f}));
        assertFalse(b.contains(new float[] {0.5f}));
        assertFalse(b.contains(new float[] {Float.NaN, 0}));
        assertTrue(b.violation(new float[] {2f, 0}).contains("element 0"));
        assertNull(b.violation(new float[] {1f, 0f}));
        Box ints = Box.uniform(0, 3, new int[] {2}, DType.INT64);
        assertFalse(ints.contains(new float[] {0.5f, 1f}));
        SplittableRandom rng = new SplittableRandom(0);
        for (int i = 0; i < 1000; i++) {
            assertTrue(b.contains(b.sample(rng)));
            assertTrue(ints.contains(ints.sample(rng)));
        }
        assertThrows(IllegalArgumentException.class, () -> Box.of(new float[] {1}, new float[] {0}));
    }

    @Test
    void unknownIdListsTheRegisteredOnes() {
        UnknownEnvException e = assertThrows(UnknownEnvException.class,
                () -> EnvRegistry.standard().make("FourRoom-v0"));
        assertTrue(e.getMessage().contains("FourRooms-v0") && e.getMessage().contains("CartPole-v1"), e.getMessage());
    }

    @Test
    void maxEpisodeStepsOverridesTheRegisteredLimit() {
        Env<?> env = EnvRegistry.standard().make("FourRooms-v0", Map.of("max_episode_steps", 7));
        assertEquals(7, ((TimeLimit<?>) env).maxEpisodeSteps());
        Env<?> none = EnvRegistry.standard().make("FourRooms-v0", Map.of("max_episode_steps", 0));
        assertFalse(none instanceof TimeLimit);
        InvalidOptionException e = assertThrows(InvalidOptionException.class,
                () -> EnvRegistry.standard().make("FourRooms-v0", Map.of("max_episode_steps", -3)));
        assertEquals("max_episode_steps", e.option());
    }

    @Test
    void optionsAreConvertedFromStringsAndTypeChecked() {
        Env<?> env = EnvRegistry.standard().make("FourRooms-v0", Map.of("slip_prob", "0.0"));
        env.reset(0L, Map.of());
        InvalidOptionException e = assertThrows(InvalidOptionException.class,
                () -> EnvRegistry.standard().make("FourRooms-v0", Map.of("slip_prob", "lots")));
        assertTrue(e.getMessage().contains("expected float"), e.getMessage());
        assertThrows(InvalidOptionException.class,
                () -> EnvRegistry.standard().make("CartPole-v1", Map.of("sutton_barto_reward", 3)));
    }

    @Test
    void resetOptionsAreRejectedByEnvsThatTakeNone() {
        Env<?> env = EnvRegistry.standard().make("FourRooms-v0");
        InvalidOptionException e = assertThrows(InvalidOptionException.class, () -> env.reset(0L, Map.of("start", 3)));
        assertEquals("start", e.option());
    }

    @Test
    void typedMakeChecksTheActionType() {
        assertThrows(IllegalArgumentException.class,
                () -> EnvRegistry.standard().make("CartPole-v1", Map.of(), float[].class));
    }
}
