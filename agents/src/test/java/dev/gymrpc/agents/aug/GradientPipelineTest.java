package dev.gymrpc.agents.aug;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gymrpc.agents.Augmentations;
import dev.gymrpc.agents.nn.AdamOptimizer;
import dev.gymrpc.agents.nn.ParamBlock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradientPipelineTest {

    @Test
    void clipsToTheGlobalNormAndReportsNormsBeforeAndAfter() {
        ParamBlock block = new ParamBlock(2);
        GradientPipeline pipe = new GradientPipeline(block, "critic", Augmentations.NONE.withGradClip(1.0), null);
        block.setGrads(new float[] {3f, 4f});
        Map<String, Double> m = new LinkedHashMap<>();
        pipe.process(m);
        float[] g = new float[2];
        block.copyGradsTo(g);
        assertArrayEquals(new float[] {0.6f, 0.8f}, g, 1e-5f);
        assertEquals(5.0, m.get("grad/critic_norm"), 1e-9);
        assertEquals(5.0, m.get("grad/critic_max_norm"), 1e-9);
        assertEquals(List.of("grad/critic_norm", "grad/critic_norm_filtered", "grad/critic_max_norm"), List.copyOf(m.keySet()));
        block.setGrads(new float[] {0.3f, 0.4f});
        pipe.process(m);
        block.copyGradsTo(g);
        assertArrayEquals(new float[] {0.3f, 0.4f}, g, 1e-6f);
        assertEquals(5.0, m.get("grad/critic_max_norm"), 1e-9, "running max keeps the largest norm");
    }

    @Test
    void gradeObservesTheFilteredGradient() {
        ParamBlock block = new ParamBlock(2);
        Grade grade = new Grade(0.9);
        GradientPipeline pipe = new GradientPipeline(block, "actor", Augmentations.NONE.withGrokfast(0.5, 1.0), grade);
        block.setGrads(new float[] {3f, 4f});
        pipe.process(new LinkedHashMap<>());
        // Filtered gradient 2 g = (6, 8): one tensor of norm 10.
        assertEquals(10.0, grade.mu(), 1e-5);
    }

    @Test
    void decoupledWeightDecayShrinksParametersBeforeTheAdamStep() {
        ParamBlock block = new ParamBlock(1);
        block.setAllParams(new float[] {2f});
        AdamOptimizer opt = new AdamOptimizer(block, 0.1, 0.5);
        block.setGrads(new float[] {1f});
        opt.step();
        // theta = 2 * (1 - 0.1 * 0.5) - 0.1 * mhat / (sqrt(vhat) + eps) = 1.9 - 0.1
        assertEquals(1.8, block.paramsCopy()[0], 1e-5);
    }
}
