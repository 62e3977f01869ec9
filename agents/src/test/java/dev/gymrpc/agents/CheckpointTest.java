package dev.gymrpc.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.agents.io.StateBag;
import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.sac.SacConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir
    Path dir;

    private static SacConfig smallSac() {
        return SacConfig.fourRooms().withHidden(List.of(16)).withBatchSize(16).withSchedule(100, 1, 1)
                .withAugmentations(Augmentations.NONE.withGrokfast(true).withGrade(true));
    }

    @Test
    void sacResumeContinuesCountersAndState() throws Exception {
        Path ck = dir.resolve("sac.ckpt");
        Trainer.TrainResult a = Trainer.train(new TrainRequest(smallSac(), "FourRooms-v0", 5, Budget.steps(300)), null, null,
                new CheckpointOptions(ck, 50, CheckpointOptions.DEFAULT_MAX_REPLAY));
        assertTrue(Files.exists(ck));
        StateBag bag = StateBag.read(ck);
        assertEquals(300, bag.getLong("env_steps"));
        assertEquals(a.updates(), bag.getLong("updates"));
        assertEquals(300 * 2, bag.getInt("replay.size") * 2);

        // Resuming with the budget already spent returns the same policy, untouched.
        Trainer.TrainResult same = Trainer.resume(ck, null, null, null, null);
        assertArrayEquals(a.policy().parameters(), same.policy().parameters());
        assertEquals(300, same.envSteps());

        // Resuming with a larger budget continues the step and update counters.
        List<Long> updates = new ArrayList<>();
        List<Long> steps = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onUpdate(long envSteps, long update, Map<String, Double> m) {
                updates.add(update);
                steps.add(envSteps);
            }
        };
        Trainer.TrainResult b = Trainer.resume(ck, Budget.steps(400), l, null, null);
        assertEquals(400, b.envSteps());
        assertEquals(a.updates() + 1, updates.get(0));
        assertEquals(301, steps.get(0));
        assertEquals(a.updates() + 100, b.updates());
    }

    @Test
    void anEvaluationAtTheStopLevelEndsTheRunAsFinished() throws Exception {
        // Every evaluation passes a level of -1e9: the run ends at the first one, not at its budget. (Step-based
        // evaluations run after an update; SAC's first update is the step after its 100 random steps.)
        EvalSchedule ev = new EvalSchedule(0, 100, 1, true, -1e9);
        List<Long> evals = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onEvaluation(long envSteps, long episodes, EvalResult r) {
                evals.add(envSteps);
            }
        };
        Path ck = dir.resolve("stop.ckpt");
        Trainer.TrainResult r = Trainer.train(new TrainRequest(smallSac(), "FourRooms-v0", Map.of(), 5,
                Budget.steps(1_000), ev), l, null, new CheckpointOptions(ck, 0, CheckpointOptions.DEFAULT_MAX_REPLAY));
        assertEquals(List.of(101L), evals);
        assertEquals(101, r.envSteps());
        assertFalse(r.cancelled());
        assertTrue(r.stoppedEarly().startsWith("stopped early: evaluation mean return "), r.stoppedEarly());
        assertTrue(r.stoppedEarly().endsWith(">= -1000000000.00 at env step 101"), r.stoppedEarly());

        // Without a level the same run uses its whole budget.
        Trainer.TrainResult full = Trainer.train(new TrainRequest(smallSac(), "FourRooms-v0", Map.of(), 5,
                Budget.steps(300), new EvalSchedule(0, 100, 1, true)), null, null);
        assertEquals(300, full.envSteps());
        assertNull(full.stoppedEarly());

        // A checkpoint written before the level and the gradient diagnostics existed (no keys for them, as the
        // checkpoints of runs started by an older server) resumes without either.
        StateBag bag = StateBag.read(ck);
        Map<Object, Object> old = new java.util.LinkedHashMap<>((Map<?, ?>) bag.get("eval"));
        assertTrue(old.remove("stopAtMeanReturn") != null);
        bag.put("eval", old);
        assertTrue(bag.meta().remove("gradDiagnostics") != null);
        assertTrue(bag.meta().remove("abortGradNorm") != null);
        bag.write(ck);
        Trainer.TrainResult resumed = Trainer.resume(ck, Budget.steps(300), null, null, null);
        assertEquals(300, resumed.envSteps());
        assertNull(resumed.stoppedEarly());
        assertThrows(IllegalArgumentException.class, () -> new EvalSchedule(0, 0, 1, true, 200));
    }

    @Test
    void ppoCheckpointRoundTripsTheAgent() throws Exception {
        Path ck = dir.resolve("ppo.ckpt");
        PpoConfig cfg = PpoConfig.cartPole().withRollout(2, 32, 32, 2);
        Trainer.TrainResult a = Trainer.train(new TrainRequest(cfg, "CartPole-v1", 2, Budget.steps(256)), null, null,
                new CheckpointOptions(ck, 0, 0));
        Trainer.TrainResult same = Trainer.resume(ck, null, null, null, null);
        assertArrayEquals(a.policy().parameters(), same.policy().parameters());
        Trainer.TrainResult more = Trainer.resume(ck, Budget.steps(512), null, null, null);
        assertEquals(512, more.envSteps());
        assertEquals(a.updates() + 4, more.updates());
    }

    @Test
    void divergenceIsReportedWithTheQuantity() {
        SacConfig wild = smallSac().withAugmentations(Augmentations.NONE).withLearningRates(1e6, 1e6, 1e6);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.train(new TrainRequest(wild, "FourRooms-v0", 1, Budget.steps(2_000)), null, null));
        assertTrue(e.getMessage().contains("training diverged at update"), e.getMessage());
        System.out.println("diverged as expected: " + e.getMessage());
    }

    @Test
    void cancellationStopsTheRunAndReturnsThePolicy() {
        int[] polls = {0};
        Trainer.TrainResult r = Trainer.train(new TrainRequest(smallSac(), "FourRooms-v0", 1, Budget.steps(100_000)), null,
                () -> ++polls[0] > 150);
        assertTrue(r.cancelled());
        assertEquals(150, r.envSteps());
    }
}
