package dev.gymrpc.agents.aug;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GrokfastEmaTest {

    @Test
    void firstCallInitialisesTheEmaWithTheGradient() {
        GrokfastEma f = new GrokfastEma(0.98, 2.0);
        float[] g = {1f, -2f, 0.5f};
        f.apply(g);
        // mu = g, output g + 2 g = 3 g
        assertArrayEquals(new float[] {3f, -6f, 1.5f}, g, 1e-6f);
        assertArrayEquals(new float[] {1f, -2f, 0.5f}, f.ema(), 1e-6f);
    }

    @Test
    void constantGradientKeepsEmaConstantSoOutputIsOnePlusLambdaTimesG() {
        GrokfastEma f = new GrokfastEma(0.98, 2.0);
        for (int t = 0; t < 50; t++) {
            float[] g = {0.3f, -1f};
            f.apply(g);
            assertArrayEquals(new float[] {0.9f, -3f}, g, 1e-5f, "step " + t);
        }
    }

    @Test
    void emaFollowsTheRecurrence() {
        GrokfastEma f = new GrokfastEma(0.5, 1.0);
        float[] g1 = {2f};
        f.apply(g1); // mu = 2, out = 4
        assertEquals(4f, g1[0], 1e-6f);
        float[] g2 = {0f};
        f.apply(g2); // mu = 0.5*2 + 0.5*0 = 1, out = 0 + 1 = 1
        assertEquals(1f, g2[0], 1e-6f);
        float[] g3 = {4f};
        f.apply(g3); // mu = 0.5*1 + 0.5*4 = 2.5, out = 4 + 2.5
        assertEquals(6.5f, g3[0], 1e-6f);
    }

    @Test
    void rejectsBadHyperparameters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GrokfastEma(1.0, 2.0));
        assertEquals("grokfastAlpha must be in [0, 1), got 1.0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GrokfastEma(0.9, -1));
    }
}
