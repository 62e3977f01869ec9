package dev.gymrpc.agents.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Augmentations;
import dev.gymrpc.agents.Budget;
import dev.gymrpc.agents.EvalSchedule;
import dev.gymrpc.agents.TrainRequest;
import dev.gymrpc.agents.Trainer;
import dev.gymrpc.agents.TrainingListener;
import dev.gymrpc.agents.TrainingLog;
import dev.gymrpc.agents.csac.ContinuousSacConfig;
import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.sac.SacConfig;
import dev.gymrpc.agents.softppo.SoftPpoConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every algorithm emits the {@code gradq/*} metrics when asked, and the training is bit-identical with and
 * without them (episodes, every other metric, final parameters).
 */
class GradientQualityInRunTest {

    private static final List<String> STATS = List.of("pairwise_cos", "true_cos", "rel_var", "true_norm", "mb_norm",
            "raw_step_true_cos", "step_true_cos");

    /** What a run produced: the training log (diagnostics left out) and the diagnostics of each measured update. */
    private record Result(List<String> log, List<Map<String, Double>> gradq) {
    }

    private static Result run(AlgoConfig cfg, String env, Budget budget, GradientDiagnostics diag) {
        TrainingLog log = new TrainingLog("gradq/");
        TrainRequest req = new TrainRequest(cfg, env, Map.of(), 5, budget, EvalSchedule.NONE,
                TrainRequest.DEFAULT_ABORT_GRAD_NORM, diag);
        List<String> lines = log.finish(Trainer.train(req, log, null));
        for (long update : log.asideUpdates()) {
            assertEquals(0, update % diag.every(), "measured at update " + update);
        }
        return new Result(lines, log.aside());
    }

    /** Runs with diagnostics off and on; checks identity, names, ranges; returns the measurements. */
    private static List<Map<String, Double>> check(AlgoConfig cfg, String env, Budget budget, int every, int minMeasured) {
        Result off = run(cfg, env, budget, GradientDiagnostics.OFF);
        Result on = run(cfg, env, budget, new GradientDiagnostics(every, 3, 4));
        assertTrue(off.gradq().isEmpty());
        assertEquals(off.log(), on.log(), "diagnostics changed the training of " + cfg.algorithm());
        assertTrue(on.gradq().size() >= minMeasured, on.gradq().size() + " measurements");
        for (Map<String, Double> d : on.gradq()) {
            List<String> expected = new ArrayList<>();
            for (String net : List.of("critic", "actor")) {
                for (String s : STATS) {
                    expected.add("gradq/" + net + "_" + s);
                }
            }
            assertEquals(new java.util.TreeSet<>(expected), new java.util.TreeSet<>(d.keySet()), cfg.algorithm());
            d.forEach((k, v) -> {
                assertTrue(Double.isFinite(v), k);
                if (k.endsWith("cos")) {
                    assertTrue(v >= -1 - 1e-9 && v <= 1 + 1e-9, k + "=" + v);
                } else {
                    assertTrue(v >= 0, k + "=" + v);
                }
            });
            assertTrue(d.get("gradq/critic_true_norm") > 0 && d.get("gradq/actor_true_norm") > 0);
        }
        return on.gradq();
    }

    private static boolean stepEqualsRaw(List<Map<String, Double>> gq, String net) {
        return gq.stream().allMatch(d -> d.get("gradq/" + net + "_step_true_cos").equals(d.get("gradq/" + net + "_raw_step_true_cos")));
    }

    @Test
    void discreteSac() {
        SacConfig cfg = SacConfig.fourRooms().withHidden(List.of(32)).withBatchSize(32).withSchedule(300, 1, 1);
        List<Map<String, Double>> plain = check(cfg, "FourRooms-v0", Budget.steps(700), 100, 3);
        assertTrue(stepEqualsRaw(plain, "critic") && stepEqualsRaw(plain, "actor"), "without Grokfast the step is the raw gradient");
        List<Map<String, Double>> gf = check(cfg.withAugmentations(Augmentations.NONE.withGrokfast(true).withGrade(true)),
                "FourRooms-v0", Budget.steps(700), 100, 3);
        assertFalse(stepEqualsRaw(gf, "critic"), "with Grokfast the applied step is the filtered gradient");
    }

    @Test
    void continuousSac() {
        ContinuousSacConfig cfg = ContinuousSacConfig.small().withHidden(List.of(16)).withBatchSize(16).withSchedule(100, 1, 1)
                .withAugmentations(Augmentations.NONE.withGrokfast(true));
        List<Map<String, Double>> gf = check(cfg, "LunarLanderContinuous-v3", Budget.steps(300), 50, 3);
        assertFalse(stepEqualsRaw(gf, "actor"));
    }

    @Test
    void ppoFixedLengthRollouts() {
        PpoConfig cfg = PpoConfig.cartPole().withRollout(4, 32, 64, 2);
        List<Map<String, Double>> gq = check(cfg, "CartPole-v1", Budget.steps(1024), 2, 4);
        // grad_clip 0.5 (the preset's) may shorten the step but never turns it: same direction.
        for (Map<String, Double> d : gq) {
            assertEquals(d.get("gradq/actor_raw_step_true_cos"), d.get("gradq/actor_step_true_cos"), 1e-6);
        }
    }

    @Test
    void ppoEpisodicFreshEpisodes() {
        PpoConfig cfg = PpoConfig.paper().withAugmentations(Augmentations.NONE.withGrokfast(true));
        List<Map<String, Double>> gq = check(cfg, "CartPole-v1", Budget.episodes(12), 4, 3);
        assertNotEquals(1.0, gq.get(0).get("gradq/actor_pairwise_cos")); // different episodes, different gradients
        assertFalse(stepEqualsRaw(gq.subList(1, gq.size()), "actor"));
    }

    /** The option is part of the checkpoint: a resumed run keeps measuring. */
    @Test
    void resumedRunKeepsMeasuring(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path ck = dir.resolve("sac.ckpt");
        SacConfig cfg = SacConfig.fourRooms().withHidden(List.of(16)).withBatchSize(16).withSchedule(100, 1, 1);
        Trainer.train(new TrainRequest(cfg, "FourRooms-v0", Map.of(), 5, Budget.steps(300), EvalSchedule.NONE,
                        TrainRequest.DEFAULT_ABORT_GRAD_NORM, new GradientDiagnostics(50, 2, 2)), null, null,
                new dev.gymrpc.agents.CheckpointOptions(ck, 50, dev.gymrpc.agents.CheckpointOptions.DEFAULT_MAX_REPLAY));
        List<Long> measured = new ArrayList<>();
        Trainer.resume(ck, Budget.steps(400), new TrainingListener() {
            @Override
            public void onUpdate(long envSteps, long update, Map<String, Double> m) {
                if (m.containsKey("gradq/critic_pairwise_cos")) {
                    measured.add(update);
                }
            }
        }, null, null);
        assertEquals(List.of(250L, 300L), measured);
    }

    @Test
    void softPpo() {
        SoftPpoConfig cfg = new SoftPpoConfig(PpoConfig.cartPole().withRollout(4, 32, 64, 2), 0.1, true);
        check(cfg, "CartPole-v1", Budget.steps(1024), 2, 4);
    }
}
