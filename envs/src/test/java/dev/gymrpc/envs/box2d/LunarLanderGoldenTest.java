package dev.gymrpc.envs.box2d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.Step;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jbox2d.common.Vec2;
import org.jbox2d.dynamics.Body;
import org.junit.jupiter.api.Test;

/**
 * Faithfulness against Gymnasium 1.3 + pybox2d: the reference's recorded random draws for seed 0 are
 * injected, and the observations and rewards of the reference trace (actions 2,2,2,1,3,0,2) must match.
 */
class LunarLanderGoldenTest {

    private static final double TOLERANCE = 1e-4;

    @SuppressWarnings("unchecked")
    static Map<String, Object> golden() throws IOException {
        try (InputStream in = LunarLanderGoldenTest.class.getResourceAsStream("/lunar-lander-golden-seed0.json")) {
            return (Map<String, Object>) MiniJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** A generator replaying the reference's seed-0 draws: 12 terrain, 2 force, then 2 per step. */
    @SuppressWarnings("unchecked")
    static ScriptedGenerator seed0Draws(Map<String, Object> golden) {
        Map<String, Object> draws = (Map<String, Object>) golden.get("seed0_draws");
        ScriptedGenerator g = new ScriptedGenerator(null);
        for (Object h : (List<Object>) draws.get("terrain")) {
            g.uniform((Double) h, 0, LunarLander.H / 2);
        }
        for (Object f : (List<Object>) draws.get("force")) {
            g.uniform((Double) f, -LunarLander.INITIAL_RANDOM, LunarLander.INITIAL_RANDOM);
        }
        for (Object pair : (List<Object>) draws.get("dispersion_per_step(incl. reset step first)")) {
            for (Object d : (List<Object>) pair) {
                // dispersion = U(-1, 1) / SCALE
                g.uniform((Double) d * LunarLander.SCALE, -1.0, 1.0);
            }
        }
        return g;
    }

    @Test
    @SuppressWarnings("unchecked")
    void seed0TraceMatchesReference() throws IOException {
        Map<String, Object> golden = golden();
        ScriptedGenerator draws = seed0Draws(golden);
        LunarLanderDiscrete env = new LunarLanderDiscrete(LunarLander.SPEC, -10, false, 15, 1.5, seed -> draws);
        List<Object> trace = (List<Object>) golden.get("seed0_trace");

        double maxObsErr = 0;
        double maxRewardErr = 0;
        Reset r = env.reset(0L, Map.of());
        Map<String, Object> first = (Map<String, Object>) trace.get(0);
        assertEquals("reset", first.get("after"));
        maxObsErr = Math.max(maxObsErr, maxAbsDiff(r.observation(), (List<Object>) first.get("obs")));
        for (int k = 1; k < trace.size(); k++) {
            Map<String, Object> row = (Map<String, Object>) trace.get(k);
            int action = ((Double) row.get("action")).intValue();
            Step s = env.step(action);
            double obsErr = maxAbsDiff(s.observation(), (List<Object>) row.get("obs"));
            double rewardErr = Math.abs(s.reward() - (Double) row.get("reward"));
            System.out.printf("golden step %d action %d: max |obs err| %.3e, |reward err| %.3e%n", k, action, obsErr,
                    rewardErr);
            maxObsErr = Math.max(maxObsErr, obsErr);
            maxRewardErr = Math.max(maxRewardErr, rewardErr);
            assertEquals(row.get("terminated"), s.terminated());
        }
        System.out.printf("golden seed-0 trace: max |obs err| = %.3e, max |reward err| = %.3e over %d steps%n",
                maxObsErr, maxRewardErr, trace.size() - 1);
        assertEquals(0, draws.remaining(), "every recorded draw is consumed, in order");
        assertTrue(maxObsErr < TOLERANCE, "observation error " + maxObsErr);
        assertTrue(maxRewardErr < TOLERANCE, "reward error " + maxRewardErr);
    }

    private static double maxAbsDiff(float[] actual, List<Object> expected) {
        assertEquals(expected.size(), actual.length);
        double m = 0;
        for (int i = 0; i < actual.length; i++) {
            m = Math.max(m, Math.abs(actual[i] - (Double) expected.get(i)));
        }
        return m;
    }

    @Test
    void massesMatchReference() {
        LunarLanderDiscrete env = new LunarLanderDiscrete();
        env.reset(1L, Map.of());
        Body lander = env.landerBody();
        Vec2 c = lander.getLocalCenter();
        // jbox2d's getInertia() is about the body origin (m_I about the centre + m |c|^2), like Box2D's.
        double inertiaAboutCentre = lander.getInertia() - lander.getMass() * (c.x * c.x + c.y * c.y);
        System.out.printf("lander mass %.6f, inertia about origin %.6f (about centre %.6f), local centre (%.6f, %.6f);"
                        + " leg masses %.6f %.6f%n", lander.getMass(), lander.getInertia(), inertiaAboutCentre, c.x, c.y,
                env.leg(0).getMass(), env.leg(1).getMass());
        assertEquals(4.816667, lander.getMass(), 1e-5);
        assertEquals(0.833315, lander.getInertia(), 1e-5);
        assertEquals(0.0, c.x, 1e-6);
        assertEquals(0.10131, c.y, 1e-5);
        assertEquals(0.071111, env.leg(0).getMass(), 1e-6);
        assertEquals(0.071111, env.leg(1).getMass(), 1e-6);
        // legs[0] is the +x leg (created for i = -1)
        assertTrue(env.leg(0).getPosition().x > lander.getPosition().x);
        assertFalse(env.leg(1).getPosition().x > lander.getPosition().x);
    }
}
