package dev.gymrpc.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The benchmark table's statistics against hand-computed values. */
class StatsTest {

    @Test
    void meanSampleSdAndStudentTInterval() {
        // Values 1..5: mean 3, sample sd sqrt(2.5) = 1.5811; t(0.975, 4) = 2.776; half-width 2.776*1.5811/sqrt(5).
        Stats.Summary s = Stats.summarize(new double[] {1, 2, 3, 4, 5});
        assertEquals(5, s.n());
        assertEquals(3.0, s.mean(), 1e-12);
        assertEquals(Math.sqrt(2.5), s.std(), 1e-12);
        assertEquals(2.776 * Math.sqrt(2.5) / Math.sqrt(5), s.halfWidth(), 1e-9);
        assertEquals(3.0 - s.halfWidth(), s.ci95Low(), 1e-12);
    }

    @Test
    void edgeCases() {
        Stats.Summary one = Stats.summarize(new double[] {-26.5});
        assertEquals(-26.5, one.ci95Low());
        assertEquals(-26.5, one.ci95High());
        assertTrue(Double.isNaN(Stats.summarize(new double[0]).mean()));
        assertEquals(12.706, Stats.t975(1), 1e-9);
        assertEquals(2.042, Stats.t975(30), 1e-9);
        // Beyond the table the expansion continues smoothly toward 1.96 (tables: t(0.975, 40) = 2.021, 120: 1.980).
        assertEquals(2.021, Stats.t975(40), 2e-3);
        assertEquals(1.980, Stats.t975(120), 1e-3);
        assertEquals(Math.sqrt(2.0), Stats.populationStd(new double[] {1, 2, 3, 4, 5}), 1e-12);
    }
}
