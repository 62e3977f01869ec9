package dev.gymrpc.agents.sac;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.agents.Augmentations;
import dev.gymrpc.agents.Budget;
import dev.gymrpc.agents.EvalResult;
import dev.gymrpc.agents.Evaluator;
import dev.gymrpc.agents.TrainRequest;
import dev.gymrpc.agents.Trainer;
import dev.gymrpc.envs.fourrooms.FourRooms;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Discrete SAC learns FourRooms: the greedy policy's discounted return over 50 episodes is within 3 of
 * the optimum V*(start) = -21.86 (about three extra steps). Fixed seeds; budgets chosen from runs of
 * {@code bench.Experiment} (plain: near-optimal from about 27.5k steps; Grokfast: from about 18k).
 */
class SacFourRoomsLearningTest {

    private static final double OPTIMUM = FourRooms.optimalValues(0.99, 0.2)[0][0];

    private static void trainAndCheck(SacConfig cfg, long steps, String label) {
        long t0 = System.nanoTime();
        Trainer.TrainResult r = Trainer.train(new TrainRequest(cfg, "FourRooms-v0", 1, Budget.steps(steps)), null, null);
        double secs = (System.nanoTime() - t0) / 1e9;
        EvalResult ev = Evaluator.evaluate(r.policy(), "FourRooms-v0", Map.of(), 50, 123, true);
        System.out.printf("SAC FourRooms %s: %d steps, %d episodes, %d updates in %.1f s (%.2f ms/update incl. env); greedy %s; optimum %.3f%n",
                label, r.envSteps(), r.episodes(), r.updates(), secs, 1e3 * secs / r.updates(), ev, OPTIMUM);
        assertTrue(ev.meanDiscounted() > OPTIMUM - 3, label + ": greedy discounted return " + ev.meanDiscounted()
                + " vs optimum " + OPTIMUM);
    }

    @Test
    void discreteSacFindsANearOptimalPolicy() {
        trainAndCheck(SacConfig.fourRoomsFast(), 30_000, "plain");
    }

    @Test
    void discreteSacWithGrokfastStillLearns() {
        trainAndCheck(SacConfig.fourRoomsFast().withAugmentations(Augmentations.NONE.withGrokfast(true)), 20_000, "grokfast");
    }
}
