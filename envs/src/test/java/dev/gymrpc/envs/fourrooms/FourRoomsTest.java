package dev.gymrpc.envs.fourrooms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.InvalidOptionException;
import dev.gymrpc.envs.Step;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FourRoomsTest {

    private static Env<Integer> make(Map<String, ?> options) {
        return EnvRegistry.standard().make("FourRooms-v0", options, Integer.class);
    }

    @Test
    void mapMatchesThePaper() {
        int walls = 0;
        for (int y = 0; y < FourRooms.SIZE; y++) {
            for (int x = 0; x < FourRooms.SIZE; x++) {
                if (FourRooms.isWall(x, y)) {
                    walls++;
                }
            }
        }
        assertEquals(17, walls);
        assertEquals(104, 121 - walls, "free cells");
        for (int[] door : new int[][] {{5, 1}, {5, 8}, {1, 5}, {8, 4}}) {
            assertFalse(FourRooms.isWall(door[0], door[1]), "doorway " + door[0] + "," + door[1]);
        }
        // Row y=4 is ".....###.##": walls at x=5,6,7,9,10.
        String row4 = "";
        for (int x = 0; x < 11; x++) {
            row4 += FourRooms.isWall(x, 4) ? "#" : ".";
        }
        assertEquals(".....###.##", row4);
    }

    @Test
    void movesClampToTheGridAndStopAtWalls() {
        assertArrayEquals(new int[] {0, 0}, FourRooms.move(0, 0, 1), "down at the bottom edge stays");
        assertArrayEquals(new int[] {0, 0}, FourRooms.move(0, 0, 2), "left at the left edge stays");
        assertArrayEquals(new int[] {4, 0}, FourRooms.move(4, 0, 3), "(5,0) is a wall");
        assertArrayEquals(new int[] {5, 1}, FourRooms.move(4, 1, 3), "(5,1) is a doorway");
        assertArrayEquals(new int[] {1, 5}, FourRooms.move(1, 4, 0), "(1,5) is a doorway");
        assertArrayEquals(new int[] {0, 4}, FourRooms.move(0, 4, 0), "(0,5) is a wall");
    }

    /** From the start, "up" leads to (0,1) w.p. 0.8, slips left (stays) w.p. 0.1 and right to (1,0) w.p. 0.1. */
    @Test
    void slipProbabilitiesAreEightyTenTen() {
        int n = 40_000;
        int up = 0;
        int stay = 0;
        int right = 0;
        try (Env<Integer> env = make(Map.of())) {
            env.reset(123);
            for (int i = 0; i < n; i++) {
                env.reset();
                float[] o = env.step(0).observation();
                if (o[0] == 0f && o[1] == 0.1f) {
                    up++;
                } else if (o[0] == 0.1f && o[1] == 0f) {
                    right++;
                } else if (o[0] == 0f && o[1] == 0f) {
                    stay++;
                }
            }
        }
        assertEquals(n, up + stay + right, "no other outcome is possible");
        // Binomial standard deviations: 0.002 for p=0.8, 0.0015 for p=0.1; allow 5 sigma.
        assertEquals(0.8, up / (double) n, 0.01);
        assertEquals(0.1, stay / (double) n, 0.0075);
        assertEquals(0.1, right / (double) n, 0.0075);
    }

    @Test
    void optimalPathTerminatesAtTheGoalWithDenseRewards() {
        // With no slip, act greedily on the planner's optimal values: the shortest path has 20 steps.
        double[][] v = FourRooms.optimalValues(0.99, 0.0);
        try (Env<Integer> env = make(Map.of("slip_prob", 0.0))) {
            env.reset(0);
            int x = 0;
            int y = 0;
            double total = 0;
            int steps = 0;
            Step s;
            do {
                int best = 0;
                double bestV = Double.NEGATIVE_INFINITY;
                for (int a = 0; a < 4; a++) {
                    int[] nxt = FourRooms.move(x, y, a);
                    double q = (nxt[0] == 10 && nxt[1] == 10) ? 0 : -1 + 0.99 * v[nxt[1]][nxt[0]];
                    if (q > bestV) {
                        bestV = q;
                        best = a;
                    }
                }
                s = env.step(best);
                x = Math.round(s.observation()[0] * 10);
                y = Math.round(s.observation()[1] * 10);
                total += s.reward();
                steps++;
            } while (!s.done());
            assertTrue(s.terminated());
            assertFalse(s.truncated());
            assertEquals(20, steps, "shortest path length");
            assertEquals(-19.0, total, "-1 per step, 0 on the step that reaches the goal");
        }
    }

    @Test
    void optimalValueAtTheStartMatchesThePaper() {
        double v0 = FourRooms.optimalValues(0.99, 0.2)[0][0];
        assertEquals(-21.86, v0, 0.01);
    }

    @Test
    void truncatedAfter459Steps() {
        try (Env<Integer> env = make(Map.of())) {
            env.reset(0);
            Step s = null;
            for (int t = 1; t <= 459; t++) {
                s = env.step(1); // "down" from the bottom-left room never reaches the goal
                assertEquals(t == 459, s.truncated(), "step " + t);
                assertFalse(s.terminated());
            }
            assertEquals(-1.0, s.reward());
        }
    }

    @Test
    void sparseRewardScheme() {
        try (Env<Integer> env = make(Map.of("reward_scheme", "sparse"))) {
            env.reset(0);
            assertEquals(0.0, env.step(0).reward());
        }
    }

    @Test
    void badOptionsNameTheOption() {
        InvalidOptionException e = assertThrows(InvalidOptionException.class, () -> make(Map.of("slip_prob", 1.5)));
        assertEquals("slip_prob", e.option());
        e = assertThrows(InvalidOptionException.class, () -> make(Map.of("reward_scheme", "weird")));
        assertEquals("reward_scheme", e.option());
        Map<String, Object> unknown = new HashMap<>();
        unknown.put("colour", "red");
        e = assertThrows(InvalidOptionException.class, () -> make(unknown));
        assertTrue(e.getMessage().contains("slip_prob"), "lists accepted options: " + e.getMessage());
    }

    @Test
    void observationIsScaledPosition() {
        try (Env<Integer> env = make(Map.of("slip_prob", 0.0))) {
            assertArrayEquals(new float[] {0f, 0f}, env.reset(0).observation());
            assertArrayEquals(new float[] {0.1f, 0f}, env.step(3).observation());
        }
    }
}
