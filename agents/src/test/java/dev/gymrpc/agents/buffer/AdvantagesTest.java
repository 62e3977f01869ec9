package dev.gymrpc.agents.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AdvantagesTest {

    @Test
    void discountedReturnsByHand() {
        float[] g = Advantages.discountedReturns(new float[] {1f, 0f, 2f}, 3, 0.5);
        // G2 = 2, G1 = 0 + 0.5*2 = 1, G0 = 1 + 0.5*1 = 1.5
        assertArrayEquals(new float[] {1.5f, 1f, 2f}, g, 1e-6f);
    }

    @Test
    void standardiseGivesZeroMeanUnitStd() {
        float[] x = {1f, 2f, 3f, 4f};
        Advantages.standardise(x, 0, 4, 0);
        double s = Math.sqrt(1.25);
        assertArrayEquals(new float[] {(float) (-1.5 / s), (float) (-0.5 / s), (float) (0.5 / s), (float) (1.5 / s)}, x, 1e-6f);
    }

    /** One env, 3 steps, episode ends after step 1; hand-computed with gamma 0.9, lambda 0.8. */
    @Test
    void gaeMatchesHandComputedTrajectory() {
        float[] r = {1f, 2f, 3f};
        float[] v = {0.5f, 1f, 1.5f};
        boolean[] end = {false, true, false};
        float[] last = {2f};
        float[] adv = new float[3];
        float[] ret = new float[3];
        Advantages.gae(r, v, end, last, 3, 1, 0.9, 0.8, adv, ret);
        double d2 = 3 + 0.9 * 2 - 1.5; // 3.3
        double a2 = d2;
        double d1 = 2 - 1; // terminal: no bootstrap
        double a1 = d1;
        double d0 = 1 + 0.9 * 1 - 0.5; // 1.4
        double a0 = d0 + 0.9 * 0.8 * a1; // 2.12
        assertArrayEquals(new float[] {(float) a0, (float) a1, (float) a2}, adv, 1e-5f);
        assertArrayEquals(new float[] {(float) (a0 + 0.5), (float) (a1 + 1), (float) (a2 + 1.5)}, ret, 1e-5f);
    }

    @Test
    void gaeKeepsEnvsSeparate() {
        // Two envs interleaved (t*2+e); env 1 has zero reward and value everywhere.
        float[] r = {1f, 0f, 1f, 0f};
        float[] v = {0f, 0f, 0f, 0f};
        boolean[] end = {false, false, false, false};
        float[] adv = new float[4];
        float[] ret = new float[4];
        Advantages.gae(r, v, end, new float[] {0f, 0f}, 2, 2, 1.0, 1.0, adv, ret);
        assertArrayEquals(new float[] {2f, 0f, 1f, 0f}, adv, 1e-6f);
    }

    @Test
    void explainedVariance() {
        float[] y = {1f, 2f, 3f};
        assertEquals(1.0, Advantages.explainedVariance(y, y, 3), 1e-9);
        assertEquals(0.0, Advantages.explainedVariance(new float[] {2f, 2f, 2f}, y, 3), 1e-9);
    }
}
