package dev.gymrpc.agents.aug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GradeTest {

    @Test
    void gradientMagnitudeIsSumOfPerTensorNorms() {
        // Two tensors: [3,4] (norm 5) and [6,8] (norm 10) -> 15, not the global norm sqrt(125).
        float[] g = {3f, 4f, 6f, 8f};
        assertEquals(15.0, Grade.sumOfTensorNorms(g, new int[] {0, 2, 4}), 1e-9);
    }

    @Test
    void ratioIsZeroBeforeTheFirstObservationThenOneAtTheRunningMax() {
        Grade grade = new Grade(0.9);
        assertEquals(0.0, grade.ratio());
        grade.observeNorm(2.0);
        assertEquals(2.0, grade.mu(), 1e-12);
        assertEquals(1.0, grade.ratio(), 1e-6);
        grade.observeNorm(4.0); // mu = 0.9*2 + 0.1*4 = 2.2, new max
        assertEquals(2.2, grade.mu(), 1e-12);
        assertEquals(1.0, grade.ratio(), 1e-6);
    }

    @Test
    void ratioFallsAsGradientNormsFall() {
        Grade grade = new Grade(0.9);
        grade.observeNorm(10.0);
        double prev = grade.ratio();
        double mu = 10.0;
        for (int t = 0; t < 20; t++) {
            grade.observeNorm(1.0);
            mu = 0.9 * mu + 0.1;
            assertEquals(mu / (10.0 + 1e-8), grade.ratio(), 1e-9);
            assertTrue(grade.ratio() < prev);
            prev = grade.ratio();
        }
        assertEquals(10.0, grade.muMax(), 1e-12);
    }

    @Test
    void constantGradientsGiveRatioOne() {
        Grade grade = new Grade(0.9);
        for (int t = 0; t < 10; t++) {
            grade.observe(new float[] {1f, 1f, 1f, 1f}, new int[] {0, 4});
            assertEquals(1.0, grade.ratio(), 1e-6);
        }
    }
}
