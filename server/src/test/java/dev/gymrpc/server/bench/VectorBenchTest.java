package dev.gymrpc.server.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The in-process vector bench measures repeatedly on one VectorEnv and reports what it ran (no timing asserted). */
class VectorBenchTest {

    @Test
    void measuresRepeatedlyAndReportsItsSettings() {
        try (VectorBench bench = new VectorBench("CartPole-v1", 4, 8)) {
            assertTrue(bench.stepFor(0.01) >= 1);
            for (int i = 0; i < 2; i++) {
                VectorBench.Result r = bench.measure(0.02);
                assertEquals(4, r.numEnvs());
                assertEquals(4, r.threads(), "threads are capped by num_envs, as VectorEnv does");
                assertTrue(r.batches() >= 1 && r.envStepsPerSecond() > 0);
                String json = r.toJson();
                assertTrue(json.startsWith("{\"env_id\": \"CartPole-v1\", \"num_envs\": 4, \"threads\": 4, "), json);
                assertTrue(json.contains("\"env_steps_per_s\": "), json);
            }
        }
    }
}
