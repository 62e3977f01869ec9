package dev.gymrpc.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.sac.SacConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Same seed, same machine: bit-identical metrics (charts/SPS, the one wall-clock metric, excluded). */
class DeterminismTest {

    private static List<String> run(AlgoConfig cfg, String env, long seed, long steps) {
        TrainingLog log = new TrainingLog();
        return log.finish(Trainer.train(new TrainRequest(cfg, env, seed, Budget.steps(steps)), log, null));
    }

    @Test
    void sacSameSeedSameCurve() {
        SacConfig cfg = SacConfig.fourRooms().withHidden(List.of(32)).withBatchSize(32).withSchedule(300, 1, 1)
                .withAugmentations(Augmentations.NONE.withGrokfast(true).withGrade(true));
        List<String> a = run(cfg, "FourRooms-v0", 11, 700);
        List<String> b = run(cfg, "FourRooms-v0", 11, 700);
        assertEquals(a, b);
        assertNotEquals(a, run(cfg, "FourRooms-v0", 12, 700));
    }

    /** The server may train several runs at once: concurrent runs give the same curves as sequential ones. */
    @Test
    void concurrentRunsMatchSequentialRuns() throws Exception {
        SacConfig sac = SacConfig.fourRooms().withHidden(List.of(32)).withBatchSize(32).withSchedule(200, 1, 1);
        PpoConfig ppo = PpoConfig.cartPole().withRollout(4, 32, 64, 2);
        List<String> sacSeq = run(sac, "FourRooms-v0", 21, 500);
        List<String> ppoSeq = run(ppo, "CartPole-v1", 22, 768);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var f1 = pool.submit(() -> run(sac, "FourRooms-v0", 21, 500));
            var f2 = pool.submit(() -> run(ppo, "CartPole-v1", 22, 768));
            assertEquals(sacSeq, f1.get());
            assertEquals(ppoSeq, f2.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void ppoSameSeedSameCurve() {
        PpoConfig cfg = PpoConfig.cartPole().withRollout(4, 32, 64, 2);
        List<String> a = run(cfg, "CartPole-v1", 3, 1024);
        List<String> b = run(cfg, "CartPole-v1", 3, 1024);
        assertEquals(a, b);
        assertArrayEquals(a.toArray(), b.toArray());
    }
}
