package dev.gymrpc.envs.box2d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.EnvSpec;
import dev.gymrpc.envs.InvalidActionException;
import dev.gymrpc.envs.InvalidOptionException;
import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.Step;
import dev.gymrpc.envs.TimeLimit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The rules of the original, one by one. */
class LunarLanderRulesTest {

    private static final EnvRegistry REGISTRY = EnvRegistry.standard();

    /** Shaping as the original computes it, from a float32 observation. */
    private static double shaping(float[] s) {
        return -100 * Math.sqrt(s[0] * s[0] + s[1] * s[1]) - 100 * Math.sqrt(s[2] * s[2] + s[3] * s[3])
                - 100 * Math.abs(s[4]) + 10 * s[6] + 10 * s[7];
    }

    /** Flat terrain at height {@code h} (pad at 0.99 * H/4), a chosen initial force, then random draws. */
    private static ScriptedGenerator flatWorld(double h, double fx, double fy) {
        ScriptedGenerator g = new ScriptedGenerator(new SplittableRandom(1));
        for (int i = 0; i < 12; i++) {
            g.uniform(h, 0, LunarLander.H / 2);
        }
        g.uniform(fx, -LunarLander.INITIAL_RANDOM, LunarLander.INITIAL_RANDOM);
        g.uniform(fy, -LunarLander.INITIAL_RANDOM, LunarLander.INITIAL_RANDOM);
        return g;
    }

    private static LunarLanderDiscrete discrete(double gravity, RandomGenerator g) {
        return new LunarLanderDiscrete(LunarLander.SPEC, gravity, false, 15, 1.5, seed -> g);
    }

    // ---------------------------------------------------------------- registration and options

    @Test
    void specsAndSpaces() {
        for (EnvSpec spec : List.of(LunarLander.SPEC, LunarLander.CONTINUOUS_SPEC)) {
            assertEquals(1000, spec.maxEpisodeSteps());
            assertEquals(200.0, spec.rewardThreshold());
            assertEquals(List.of("continuous", "gravity", "enable_wind", "wind_power", "turbulence_power"),
                    spec.options().stream().map(o -> o.name()).toList());
        }
        assertEquals("LunarLander-v3", LunarLander.SPEC.id());
        assertEquals("LunarLanderContinuous-v3", LunarLander.CONTINUOUS_SPEC.id());

        try (Env<?> d = REGISTRY.make("LunarLander-v3")) {
            assertEquals(new Discrete(4), d.actionSpace());
            assertInstanceOf(TimeLimit.class, d);
            assertInstanceOf(LunarLanderDiscrete.class, ((TimeLimit<?>) d).unwrapped());
            Box obs = d.observationSpace();
            assertArrayEquals(new float[] {-2.5f, -2.5f, -10f, -10f, (float) (-2 * Math.PI), -10f, -0f, -0f}, obs.low());
            assertArrayEquals(new float[] {2.5f, 2.5f, 10f, 10f, (float) (2 * Math.PI), 10f, 1f, 1f}, obs.high());
        }
        try (Env<?> c = REGISTRY.make("LunarLanderContinuous-v3")) {
            assertEquals(Box.uniform(-1f, 1f, new int[] {2}, dev.gymrpc.envs.DType.FLOAT32), c.actionSpace());
        }
        // make("LunarLander-v3", continuous=True) works as in Gymnasium, and keeps its id.
        try (Env<float[]> c = REGISTRY.make("LunarLander-v3", Map.of("continuous", true), float[].class)) {
            assertInstanceOf(Box.class, c.actionSpace());
            assertEquals("LunarLander-v3", c.spec().id());
            assertInstanceOf(LunarLanderContinuous.class, ((TimeLimit<float[]>) c).unwrapped());
        }
        try (Env<Integer> d = REGISTRY.make("LunarLanderContinuous-v3", Map.of("continuous", false), Integer.class)) {
            assertEquals(new Discrete(4), d.actionSpace());
        }
    }

    @Test
    void gravityMustBeBetweenMinus12And0() {
        for (Object bad : List.of(0.0, -12.0, 1.0, -20, Double.NaN, Double.NEGATIVE_INFINITY, "-12.5")) {
            InvalidOptionException e = assertThrows(InvalidOptionException.class,
                    () -> REGISTRY.make("LunarLander-v3", Map.of("gravity", bad)), "gravity " + bad);
            assertEquals("gravity", e.option());
            assertTrue(e.getMessage().contains("gravity"));
        }
        for (double ok : new double[] {-11.99, -10, -1.62, -0.01}) {
            try (Env<?> env = REGISTRY.make("LunarLanderContinuous-v3", Map.of("gravity", ok))) {
                env.reset(0L, Map.of());
            }
        }
        assertThrows(InvalidOptionException.class, () -> new LunarLanderDiscrete(-12.5, false, 15, 1.5));
    }

    @Test
    void windAndTurbulencePowersMustBeFiniteAndNonNegative() {
        for (String name : List.of("wind_power", "turbulence_power")) {
            for (Object bad : List.of(-0.1, Double.NaN, Double.POSITIVE_INFINITY, "abc")) {
                InvalidOptionException e = assertThrows(InvalidOptionException.class,
                        () -> REGISTRY.make("LunarLander-v3", Map.of(name, bad)), name + " " + bad);
                assertEquals(name, e.option());
            }
            // outside Gymnasium's recommended range: Gymnasium warns, we accept
            for (double ok : new double[] {0.0, 25.0}) {
                REGISTRY.make("LunarLander-v3", Map.of(name, ok, "enable_wind", true)).close();
            }
        }
        InvalidOptionException e = assertThrows(InvalidOptionException.class,
                () -> REGISTRY.make("LunarLander-v3", Map.of("hardcore", true)));
        assertEquals("hardcore", e.option());
    }

    @Test
    void resetAcceptsNoOptions() {
        try (Env<?> env = REGISTRY.make("LunarLander-v3")) {
            assertThrows(InvalidOptionException.class, () -> env.reset(0L, Map.of("gravity", -5.0)));
        }
    }

    // ---------------------------------------------------------------- terrain and random draws

    @Test
    void terrainIsSmoothedWith033AndWrapsAround() {
        double[] h = new double[12];
        SplittableRandom r = new SplittableRandom(99);
        ScriptedGenerator g = new ScriptedGenerator(new SplittableRandom(1));
        for (int i = 0; i < 12; i++) {
            h[i] = r.nextDouble() * LunarLander.H / 2;
            g.uniform(h[i], 0, LunarLander.H / 2);
        }
        g.uniform(0, -1000, 1000).uniform(0, -1000, 1000);
        LunarLanderDiscrete env = discrete(-10, g);
        env.reset(0L, Map.of());
        for (int i = 3; i <= 7; i++) {
            h[i] = LunarLander.H / 4;
        }
        double[] smooth = env.smoothY();
        assertEquals(0.33 * (h[11] + h[0] + h[1]), smooth[0], 1e-12, "h[-1] is the last height");
        for (int i = 1; i < 11; i++) {
            assertEquals(0.33 * (h[i - 1] + h[i] + h[i + 1]), smooth[i], 1e-12);
        }
        // the pad (chunks 4..6) sits at 0.99 * H/4, not at helipad_y
        assertEquals(0.99 * LunarLander.H / 4, smooth[5], 1e-12);
    }

    /** Records the kinds of draws: D = nextDouble, L = nextLong (bounded integers are built from it). */
    private static final class LoggingGenerator implements RandomGenerator {
        final StringBuilder log = new StringBuilder();
        final SplittableRandom inner = new SplittableRandom(5);

        @Override
        public long nextLong() {
            log.append('L');
            return inner.nextLong();
        }

        @Override
        public double nextDouble() {
            log.append('D');
            return inner.nextDouble();
        }
    }

    @Test
    void randomDrawOrder() {
        LoggingGenerator g = new LoggingGenerator();
        LunarLanderDiscrete env = new LunarLanderDiscrete(LunarLander.SPEC, -10, true, 15, 1.5, seed -> g);
        env.reset(0L, Map.of());
        // 12 terrain + 2 force, 2 wind indices, 2 dispersion for the step reset takes
        assertEquals("D".repeat(14) + "LL" + "DD", g.log.toString());
        g.log.setLength(0);
        env.step(0);
        env.step(2);
        env.step(1);
        assertEquals("DDDDDD", g.log.toString(), "two dispersion draws per step whether or not an engine fires");

        LoggingGenerator g2 = new LoggingGenerator();
        LunarLanderContinuous c = new LunarLanderContinuous(LunarLander.CONTINUOUS_SPEC, -10, false, 15, 1.5, s -> g2);
        c.reset(0L, Map.of());
        assertEquals("D".repeat(16), g2.log.toString(), "no wind: no integer draws");
    }

    // ---------------------------------------------------------------- reward

    @Test
    void rewardIsShapingDifferenceMinusFuel() {
        LunarLanderDiscrete env = new LunarLanderDiscrete();
        float[] prev = env.reset(7L, Map.of()).observation();
        int[] actions = {0, 2, 2, 1, 3, 0, 2, 1, 1, 3, 3, 0, 2, 2, 2};
        double[] fuel = {0, 0.30, 0.30, 0.03, 0.03, 0, 0.30, 0.03, 0.03, 0.03, 0.03, 0, 0.30, 0.30, 0.30};
        double maxErr = 0;
        for (int t = 0; t < actions.length; t++) {
            Step s = env.step(actions[t]);
            assertFalse(s.done());
            double expected = shaping(s.observation()) - shaping(prev) - fuel[t];
            // float32 observations vs the env's double state: agreement to ~1e-4
            maxErr = Math.max(maxErr, Math.abs(expected - s.reward()));
            prev = s.observation();
        }
        assertTrue(maxErr < 2e-4, "max reward error " + maxErr);
    }

    @Test
    void continuousFuelCostScalesWithThrottle() {
        // Same seed, same physics: only the engine powers differ, so the fuel part of the reward can be
        // isolated by comparing with the discrete env taking the same physical action.
        LunarLanderContinuous c = new LunarLanderContinuous();
        LunarLanderDiscrete d = new LunarLanderDiscrete();
        c.reset(3L, Map.of());
        d.reset(3L, Map.of());
        Step sc = c.step(new float[] {1.0f, 0f}); // main at 100%
        Step sd = d.step(2);
        assertArrayEquals(sd.observation(), sc.observation());
        assertEquals(sd.reward(), sc.reward(), 0.0);
        sc = c.step(new float[] {-0.2f, -1.0f}); // left engine at 100%
        sd = d.step(1);
        assertArrayEquals(sd.observation(), sc.observation());
        assertEquals(sd.reward(), sc.reward(), 0.0);

        // At 60% main throttle the fuel cost is 0.30 * (0.6 + 1) / 2 = 0.24; 70% lateral costs 0.021.
        LunarLanderContinuous a = new LunarLanderContinuous();
        float[] prev = a.reset(4L, Map.of()).observation();
        Step s = a.step(new float[] {0.6f, 0.7f});
        double fuel = shaping(s.observation()) - shaping(prev) - s.reward();
        assertEquals(0.30 * (0.6f + 1.0) / 2 + 0.03 * 0.7f, fuel, 2e-4);
    }

    // ---------------------------------------------------------------- continuous action semantics

    @Test
    void continuousActionsMapToEnginesAsInTheOriginal() {
        // {continuous action, equivalent discrete action}
        Object[][] same = {
                {new float[] {0f, 0f}, 0}, {new float[] {-1f, 0.5f}, 0}, {new float[] {-0.3f, -0.5f}, 0},
                {new float[] {1f, 0f}, 2}, {new float[] {1f, 0.4f}, 2},
                {new float[] {0f, -1f}, 1}, {new float[] {-0.9f, -1f}, 1},
                {new float[] {0f, 1f}, 3}, {new float[] {-1f, 1f}, 3},
        };
        for (Object[] pair : same) {
            LunarLanderContinuous c = new LunarLanderContinuous();
            LunarLanderDiscrete d = new LunarLanderDiscrete();
            c.reset(11L, Map.of());
            d.reset(11L, Map.of());
            for (int t = 0; t < 5; t++) {
                Step sc = c.step((float[]) pair[0]);
                Step sd = d.step((Integer) pair[1]);
                assertArrayEquals(sd.observation(), sc.observation(), Arrays.toString((float[]) pair[0]));
                assertEquals(sd.reward(), sc.reward(), 0.0);
            }
        }
        // Just above the thresholds the engines fire (at 50%): the trajectory departs from no-op.
        for (float[] a : new float[][] {{1e-3f, 0f}, {0f, 0.501f}, {0f, -0.501f}}) {
            LunarLanderContinuous c = new LunarLanderContinuous();
            LunarLanderContinuous noop = new LunarLanderContinuous();
            c.reset(11L, Map.of());
            noop.reset(11L, Map.of());
            Step s1 = c.step(a);
            Step s0 = noop.step(new float[] {0f, 0f});
            assertFalse(Arrays.equals(s0.observation(), s1.observation()), Arrays.toString(a));
        }
    }

    @Test
    void actionsOutsideTheSpaceAreRejected() {
        LunarLanderContinuous c = new LunarLanderContinuous();
        c.reset(0L, Map.of());
        for (float[] bad : new float[][] {{1.01f, 0f}, {0f, -1.5f}, {Float.NaN, 0f}, {0f}, {0f, 0f, 0f}}) {
            assertThrows(InvalidActionException.class, () -> c.step(bad), Arrays.toString(bad));
        }
        c.step(new float[] {1f, -1f});
        LunarLanderDiscrete d = new LunarLanderDiscrete();
        d.reset(0L, Map.of());
        assertThrows(InvalidActionException.class, () -> d.step(4));
        assertThrows(InvalidActionException.class, () -> d.step(-1));
        d.step(3);
    }

    // ---------------------------------------------------------------- termination and contacts

    @Test
    void gentleLandingSetsLegContactsThenSleepsWithPlus100() {
        // Flat terrain, no initial push: the heuristic lands on the pad and the lander comes to rest.
        LunarLanderDiscrete env = discrete(-10, flatWorld(2.0, 0, 0));
        float[] s = env.reset(0L, Map.of()).observation();
        assertEquals(0f, s[6]);
        assertEquals(0f, s[7]);
        boolean sawBothLegs = false;
        Step step = null;
        for (int t = 0; t < 1000; t++) {
            step = env.step(LunarLanderHeuristic.discreteAction(s));
            s = step.observation();
            if (s[6] == 1f && s[7] == 1f) {
                sawBothLegs = true;
            }
            if (step.done()) {
                break;
            }
        }
        assertTrue(sawBothLegs, "both leg contact flags became true");
        assertTrue(step.terminated());
        assertFalse(step.truncated());
        assertEquals(100.0, step.reward(), "asleep: +100");
        assertFalse(env.landerBody().isAwake());
        assertFalse(env.gameOver());
        assertEquals(1f, s[6]);
        assertEquals(1f, s[7]);
        assertTrue(Math.abs(s[0]) < 0.2f, "landed on the pad: x = " + s[0]);
    }

    @Test
    void bodyContactIsACrashWithMinus100() {
        // Flat terrain and a hard downward push: the body hits the ground.
        LunarLanderDiscrete env = discrete(-10, flatWorld(2.0, 0, -999));
        env.reset(0L, Map.of());
        Step step;
        int t = 0;
        do {
            step = env.step(0);
            t++;
        } while (!step.done() && t < 1000);
        assertTrue(step.terminated());
        assertEquals(-100.0, step.reward());
        assertTrue(env.gameOver(), "the lander body touched the moon");
        assertTrue(Math.abs(step.observation()[0]) < 1f);
    }

    @Test
    void flyingOffTheScreenIsMinus100() {
        // Weak gravity and a strong sideways push: |x| reaches 1 before the ground.
        LunarLanderDiscrete env = discrete(-0.1, flatWorld(2.0, 999.9, 0));
        env.reset(0L, Map.of());
        Step step;
        int t = 0;
        do {
            step = env.step(0);
            t++;
        } while (!step.done() && t < 1000);
        assertTrue(step.terminated());
        assertEquals(-100.0, step.reward());
        assertFalse(env.gameOver());
        assertTrue(step.observation()[0] >= 1f, "x = " + step.observation()[0]);
    }

    @Test
    void legsAreNotInContactInFlight() {
        LunarLanderDiscrete env = new LunarLanderDiscrete();
        env.reset(1L, Map.of());
        for (int t = 0; t < 10; t++) {
            float[] s = env.step(2).observation();
            assertEquals(0f, s[6]);
            assertEquals(0f, s[7]);
        }
    }

    // ---------------------------------------------------------------- wind and determinism

    @Test
    void windChangesTheTrajectory() {
        // The wind indices are drawn after the force, so terrain and push are identical with and without.
        LunarLanderDiscrete calm = new LunarLanderDiscrete(-10, false, 15, 1.5);
        LunarLanderDiscrete windy = new LunarLanderDiscrete(-10, true, 15, 1.5);
        float[] a = calm.reset(21L, Map.of()).observation();
        float[] b = windy.reset(21L, Map.of()).observation();
        assertArrayEquals(calm.smoothY(), windy.smoothY(), 0.0);
        assertFalse(Arrays.equals(a, b), "wind acts from the reset step on");
        for (int t = 0; t < 30; t++) {
            a = calm.step(0).observation();
            b = windy.step(0).observation();
        }
        assertTrue(Math.abs(a[0] - b[0]) > 1e-3 || Math.abs(a[4] - b[4]) > 1e-3,
                "calm " + Arrays.toString(a) + " windy " + Arrays.toString(b));
    }

    private static List<Object> trajectory(Env<?> env, long seed, int steps, boolean render) {
        List<Object> out = new ArrayList<>();
        SplittableRandom actions = new SplittableRandom(seed + 1000);
        Reset r = env.reset(seed, Map.of());
        out.add(r.observation());
        for (int t = 0; t < steps; t++) {
            Step s = env.stepObject(env.actionSpace().sample(actions));
            if (render) {
                env.render();
            }
            out.add(s.observation());
            out.add(s.reward());
            out.add(s.terminated());
            if (s.done()) {
                out.add(env.reset().observation());
            }
        }
        return out;
    }

    private static void assertBitIdentical(List<Object> a, List<Object> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) instanceof float[] fa) {
                assertArrayEquals(fa, (float[]) b.get(i), "entry " + i);
            } else if (a.get(i) instanceof Double da) {
                assertEquals(Double.doubleToLongBits(da), Double.doubleToLongBits((Double) b.get(i)), "entry " + i);
            } else {
                assertEquals(a.get(i), b.get(i), "entry " + i);
            }
        }
    }

    @Test
    void sameSeedGivesABitIdenticalTrajectoryAndRenderingDoesNotPerturbIt() {
        for (Map<String, Object> opts : List.<Map<String, Object>>of(Map.of(), Map.of("enable_wind", true),
                Map.of("continuous", true, "enable_wind", true))) {
            try (Env<?> a = REGISTRY.make("LunarLander-v3", opts); Env<?> b = REGISTRY.make("LunarLander-v3", opts);
                 Env<?> c = REGISTRY.make("LunarLander-v3", opts)) {
                List<Object> ta = trajectory(a, 17, 400, false);
                assertBitIdentical(ta, trajectory(b, 17, 400, false));
                // re-seeding the same env repeats it
                assertBitIdentical(ta, trajectory(a, 17, 400, false));
                // rendering every step leaves the trajectory unchanged
                assertBitIdentical(trajectory(b, 17, 100, false), trajectory(c, 17, 100, true));
            }
        }
    }
}
