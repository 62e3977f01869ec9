package dev.gymrpc.agents.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.agents.config.InvalidConfigException;
import dev.gymrpc.agents.util.Rng;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The statistics on cases with a known answer, the option's syntax and validation. */
class GradientQualityTest {

    @Test
    void identicalMinibatchesAreNoiseless() {
        float[] g = {0.5f, -2f, 3f};
        GradientQuality.Stats s = GradientQuality.stats(new float[][] {g, g.clone(), g.clone()}, g.clone());
        assertEquals(1.0, s.pairwiseCos(), 1e-12);
        assertEquals(1.0, s.trueCos(), 1e-12);
        assertEquals(0.0, s.relVar(), 0.0);
        assertEquals(Math.sqrt(0.25 + 4 + 9), s.trueNorm(), 1e-6);
        assertEquals(s.trueNorm(), s.meanNorm(), 1e-6);
    }

    @Test
    void orthogonalMinibatches() {
        // g1 = (1, 0), g2 = (0, 1): cos 0; per-coordinate sample variance (divisor 1) 0.5 each, trace 1;
        // G = (0.5, 0.5): |G|^2 = 0.5, rel_var 2; cos(g_i, G) = 1/sqrt(2).
        GradientQuality.Stats s = GradientQuality.stats(new float[][] {{1, 0}, {0, 1}}, new float[] {0.5f, 0.5f});
        assertEquals(0.0, s.pairwiseCos(), 1e-12);
        assertEquals(Math.sqrt(0.5), s.trueCos(), 1e-7);
        assertEquals(2.0, s.relVar(), 1e-7);
        assertEquals(1.0, s.meanNorm(), 1e-12);
    }

    @Test
    void opposedAndZeroVectors() {
        assertEquals(-1.0, GradientQuality.cos(new float[] {1, 2}, new float[] {-2, -4}), 1e-12);
        assertEquals(0.0, GradientQuality.cos(new float[] {0, 0}, new float[] {1, 1}), 0.0);
        GradientQuality.Stats s = GradientQuality.stats(new float[][] {{0, 0}, {0, 0}}, new float[] {0, 0});
        assertEquals(0.0, s.relVar(), 0.0); // finite even without signal: metrics must stay finite
    }

    /** Noise of known size around a known mean: rel_var estimates sigma^2 d / |mu|^2. */
    @Test
    void gaussianNoiseRelativeVarianceAndCosines() {
        int d = 400;
        int m = 200;
        double sigma = 0.05;
        Rng rng = new Rng(5);
        float[] mu = new float[d];
        for (int i = 0; i < d; i++) {
            mu[i] = (float) (1 / Math.sqrt(d)); // |mu| = 1
        }
        float[][] g = new float[m][d];
        for (int k = 0; k < m; k++) {
            for (int i = 0; i < d; i++) {
                g[k][i] = (float) (mu[i] + sigma * rng.nextGaussian());
            }
        }
        GradientQuality.Stats s = GradientQuality.stats(g, mu);
        double v = sigma * sigma * d; // 1.0
        assertEquals(v, s.relVar(), 0.05);
        assertEquals(1 / (1 + v), s.pairwiseCos(), 0.03); // E cos(g_i, g_j) ~ |mu|^2 / (|mu|^2 + tr)
        assertEquals(1 / Math.sqrt(1 + v), s.trueCos(), 0.03);
    }

    @Test
    void measureDrawsFromItsOwnStreamAndWatchesTheNextStepOnly() {
        GradientQuality q = new GradientQuality(new GradientDiagnostics(1, 4, 2), 7);
        int[] calls = {0};
        q.measure("net", 3, null, (rng, out) -> {
            calls[0]++;
            out[0][0] = 1;
            out[0][1] = (float) rng.nextGaussian();
            out[0][2] = 0;
        });
        assertEquals(6, calls[0]); // M + L
        Map<String, Double> m = new LinkedHashMap<>();
        q.report(m);
        assertEquals(java.util.List.of("gradq/net_pairwise_cos", "gradq/net_true_cos", "gradq/net_rel_var",
                "gradq/net_true_norm", "gradq/net_mb_norm"), java.util.List.copyOf(m.keySet()));
        Map<String, Double> again = new LinkedHashMap<>();
        q.report(again);
        assertTrue(again.isEmpty());
    }

    @Test
    void parsesTheOptionAndNamesBadFields() {
        assertEquals(GradientDiagnostics.OFF, GradientDiagnostics.parse("0"));
        assertEquals(GradientDiagnostics.OFF, GradientDiagnostics.parse("off"));
        assertEquals(new GradientDiagnostics(25, 8, 16), GradientDiagnostics.parse("25"));
        assertEquals(new GradientDiagnostics(25, 4, 16), GradientDiagnostics.parse("25,4"));
        assertEquals(new GradientDiagnostics(25, 4, 32), GradientDiagnostics.parse(" 25 , 4 , 32 "));
        assertTrue(GradientDiagnostics.parse("3").due(6));
        assertTrue(!GradientDiagnostics.parse("3").due(7));
        assertTrue(!GradientDiagnostics.OFF.due(0));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> GradientDiagnostics.parse("-1"));
        assertTrue(e.getMessage().contains("grad_diagnostics.every"), e.getMessage());
        e = assertThrows(InvalidConfigException.class, () -> GradientDiagnostics.parse("5,1"));
        assertTrue(e.getMessage().contains("grad_diagnostics.minibatches"), e.getMessage());
        e = assertThrows(InvalidConfigException.class, () -> GradientDiagnostics.parse("5,4,0"));
        assertTrue(e.getMessage().contains("grad_diagnostics.large_batch"), e.getMessage());
        assertThrows(InvalidConfigException.class, () -> GradientDiagnostics.parse("x"));
    }
}
