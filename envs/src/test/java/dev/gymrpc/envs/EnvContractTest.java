package dev.gymrpc.envs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The environment contract every env must satisfy, in the spirit of Gymnasium's {@code check_env} and
 * dm_env_rpc's compliance suite. Subclass it once per env (locally, and again over gRPC with a remote
 * env: a remote implementation must surface the same exception types, i.e. map FAILED_PRECONDITION to
 * {@link ResetNeededException} and INVALID_ARGUMENT on actions to {@link InvalidActionException}).
 */
public abstract class EnvContractTest {

    /** Makes a fresh env with {@code options} passed to {@code make} (may include {@code max_episode_steps}). */
    protected abstract Env<?> makeEnv(Map<String, Object> options);

    /** Whether resets or dynamics draw from the env's generator (false only for fully deterministic envs). */
    protected boolean isStochastic() {
        return true;
    }

    /** Steps used by trajectory comparisons. */
    protected int trajectorySteps() {
        return 300;
    }

    private Env<?> makeEnv() {
        return makeEnv(Map.of());
    }

    /** A recorded trajectory: observations, rewards and flags, with resets (unseeded) after each episode end. */
    private static List<Object> rollout(Env<?> env, Long seed, long actionSeed, int steps) {
        List<Object> out = new ArrayList<>();
        SplittableRandom actions = new SplittableRandom(actionSeed);
        Reset r = env.reset(seed, Map.of());
        out.add(r.observation().clone());
        for (int t = 0; t < steps; t++) {
            Step s = env.stepObject(env.actionSpace().sample(actions));
            out.add(s.observation().clone());
            out.add(s.reward());
            out.add(s.terminated());
            out.add(s.truncated());
            if (s.terminated() || s.truncated()) {
                out.add(env.reset().observation().clone());
            }
        }
        return out;
    }

    private static void assertSameTrajectory(List<Object> a, List<Object> b) {
        assertEquals(a.size(), b.size(), "trajectory lengths differ");
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) instanceof float[] fa) {
                assertArrayEquals(fa, (float[]) b.get(i), "observation differs at entry " + i);
            } else {
                assertEquals(a.get(i), b.get(i), "entry " + i + " differs");
            }
        }
    }

    @Test
    void spacesAreWellFormed() {
        try (Env<?> env = makeEnv()) {
            Box obs = env.observationSpace();
            assertEquals(DType.FLOAT32, obs.dtype(), "observations are float32 arrays");
            assertTrue(obs.flatSize() > 0);
            assertNotNull(env.actionSpace());
            SplittableRandom rng = new SplittableRandom(1);
            for (int i = 0; i < 100; i++) {
                Object a = env.actionSpace().sample(rng);
                assertTrue(containsUnchecked(env.actionSpace(), a), "sampled action " + a + " not in the space");
            }
            assertNotNull(env.spec().id());
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> boolean containsUnchecked(Space<T> space, Object value) {
        return space.contains((T) value);
    }

    @Test
    void observationsStayInTheSpaceAndRewardsAreFinite() {
        try (Env<?> env = makeEnv()) {
            SplittableRandom rng = new SplittableRandom(3);
            Reset r = env.reset(11L, Map.of());
            assertTrue(env.observationSpace().contains(r.observation()), () -> "reset observation "
                    + java.util.Arrays.toString(r.observation()) + ": " + env.observationSpace().violation(r.observation()));
            assertNotNull(r.info());
            for (int t = 0; t < trajectorySteps(); t++) {
                Step s = env.stepObject(env.actionSpace().sample(rng));
                assertTrue(env.observationSpace().contains(s.observation()),
                        () -> "observation outside the space: " + env.observationSpace().violation(s.observation()));
                assertTrue(Double.isFinite(s.reward()), "reward must be finite");
                assertNotNull(s.info());
                if (s.done()) {
                    env.reset();
                }
            }
        }
    }

    @Test
    void sameSeedGivesTheSameTrajectory() {
        try (Env<?> a = makeEnv(); Env<?> b = makeEnv()) {
            assertSameTrajectory(rollout(a, 42L, 7, trajectorySteps()), rollout(b, 42L, 7, trajectorySteps()));
        }
    }

    @Test
    void reseedingTheSameEnvRepeatsTheTrajectory() {
        try (Env<?> a = makeEnv()) {
            List<Object> first = rollout(a, 5L, 9, trajectorySteps());
            List<Object> again = rollout(a, 5L, 9, trajectorySteps());
            assertSameTrajectory(first, again);
        }
    }

    @Test
    void unseededResetContinuesTheStream() {
        try (Env<?> a = makeEnv(); Env<?> b = makeEnv()) {
            // Both envs: seed, play, then reset without a seed: the continuation is deterministic...
            rollout(a, 3L, 1, 50);
            rollout(b, 3L, 1, 50);
            List<Object> contA = rollout(a, null, 2, trajectorySteps());
            List<Object> contB = rollout(b, null, 2, trajectorySteps());
            assertSameTrajectory(contA, contB);
            if (isStochastic()) {
                // ...and differs from a fresh seeded start: the generator moved on.
                try (Env<?> c = makeEnv()) {
                    List<Object> fresh = rollout(c, 3L, 2, trajectorySteps());
                    assertFalse(sameTrajectory(contA, fresh), "reset() without a seed must continue the stream, "
                            + "not restart it");
                }
            }
        }
    }

    private static boolean sameTrajectory(List<Object> a, List<Object> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            Object x = a.get(i);
            Object y = b.get(i);
            if (x instanceof float[] fx ? !java.util.Arrays.equals(fx, (float[]) y) : !x.equals(y)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void differentSeedsGiveDifferentTrajectories() {
        if (!isStochastic()) {
            return;
        }
        try (Env<?> a = makeEnv()) {
            assertFalse(sameTrajectory(rollout(a, 1L, 4, trajectorySteps()), rollout(a, 2L, 4, trajectorySteps())));
        }
    }

    @Test
    void stepBeforeResetIsAnError() {
        try (Env<?> env = makeEnv()) {
            Object a = env.actionSpace().sample(new SplittableRandom(0));
            assertThrows(ResetNeededException.class, () -> env.stepObject(a));
        }
    }

    @Test
    void stepAfterTheEpisodeEndedIsAnError() {
        try (Env<?> env = makeEnv(Map.of("max_episode_steps", 3))) {
            SplittableRandom rng = new SplittableRandom(0);
            env.reset(0L, Map.of());
            Step s;
            do {
                s = env.stepObject(env.actionSpace().sample(rng));
            } while (!s.done());
            assertThrows(ResetNeededException.class, () -> env.stepObject(env.actionSpace().sample(rng)));
            env.reset();
            assertDoesNotThrow(() -> env.stepObject(env.actionSpace().sample(rng)));
        }
    }

    @Test
    void truncatesAtTheTimeLimitAndKeepsTheFlagsSeparate() {
        int limit = 5;
        try (Env<?> env = makeEnv(Map.of("max_episode_steps", limit))) {
            SplittableRandom rng = new SplittableRandom(0);
            int truncations = 0;
            for (int episode = 0; episode < 5; episode++) {
                env.reset((long) episode, Map.of());
                for (int t = 1; t <= limit; t++) {
                    Step s = env.stepObject(env.actionSpace().sample(rng));
                    if (s.terminated()) {
                        break;
                    }
                    assertEquals(t == limit, s.truncated(), "truncated must be set exactly at step " + limit);
                    if (s.truncated()) {
                        truncations++;
                    }
                }
            }
            assertTrue(truncations > 0, "no episode reached the time limit");
        }
    }

    @Test
    void registeredTimeLimitIsApplied() {
        try (Env<?> env = makeEnv()) {
            int limit = env.spec().maxEpisodeSteps();
            if (limit <= 0 || limit > 2000) {
                return;
            }
            SplittableRandom rng = new SplittableRandom(0);
            for (int episode = 0; episode < 3; episode++) {
                env.reset((long) episode, Map.of());
                for (int t = 1; t <= limit; t++) {
                    Step s = env.stepObject(env.actionSpace().sample(rng));
                    assertTrue(t == limit ? s.done() : !s.truncated(), "truncation only at step " + limit);
                    if (s.done()) {
                        break;
                    }
                }
            }
        }
    }

    @Test
    void badActionsAreRejectedAndLeaveTheEnvUsable() {
        try (Env<?> env = makeEnv()) {
            env.reset(0L, Map.of());
            List<Object> bad = new ArrayList<>();
            bad.add(null);
            if (env.actionSpace() instanceof Discrete d) {
                bad.add(d.start() + d.n());
                bad.add(d.start() - 1);
                bad.add(new float[] {0f});
            } else if (env.actionSpace() instanceof Box b) {
                float[] nan = new float[b.flatSize()];
                nan[0] = Float.NaN;
                bad.add(nan);
                bad.add(new float[b.flatSize() + 1]);
                float[] tooHigh = new float[b.flatSize()];
                tooHigh[0] = b.high(0) + 1f;
                if (Float.isFinite(tooHigh[0])) {
                    bad.add(tooHigh);
                }
                bad.add(3);
            }
            for (Object a : bad) {
                assertThrows(InvalidActionException.class, () -> env.stepObject(a), "action " + a + " must be rejected");
            }
            assertDoesNotThrow(() -> env.stepObject(env.actionSpace().sample(new SplittableRandom(0))));
        }
    }

    @Test
    void renderGivesAnRgbFrame() {
        try (Env<?> env = makeEnv()) {
            env.reset(0L, Map.of());
            RgbImage img = env.render();
            assertTrue(img.width() > 0 && img.height() > 0);
            assertEquals(img.width() * img.height() * 3, img.rgb().length);
            byte[] png = img.toPng();
            assertEquals((byte) 0x89, png[0]);
            assertEquals('P', png[1]);
        }
    }

    @Test
    void closeIsIdempotent() {
        Env<?> env = makeEnv();
        env.reset(0L, Map.of());
        env.close();
        assertDoesNotThrow(env::close);
    }
}
