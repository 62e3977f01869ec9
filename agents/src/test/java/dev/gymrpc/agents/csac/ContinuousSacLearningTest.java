package dev.gymrpc.agents.csac;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.agents.Augmentations;
import dev.gymrpc.agents.Budget;
import dev.gymrpc.agents.EvalResult;
import dev.gymrpc.agents.Evaluator;
import dev.gymrpc.agents.Policy;
import dev.gymrpc.agents.TrainRequest;
import dev.gymrpc.agents.Trainer;
import dev.gymrpc.agents.util.Rng;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Continuous SAC learns the test-only {@link PointMass} task, trained and evaluated through a custom
 * {@link EnvRegistry} (which also shows that a run uses the registry it is given: PointMass-v0 is not in
 * the standard one). Fixed seed; the greedy policy must beat a threshold far above random actions.
 */
class ContinuousSacLearningTest {

    static EnvRegistry registry() {
        return new EnvRegistry().register(PointMass.SPEC);
    }

    /** Mean return of uniformly random actions over {@code episodes} episodes. */
    private static double randomReturn(EnvRegistry reg, int episodes) {
        Rng rng = new Rng(99);
        double total = 0;
        try (Env<?> env = reg.make("PointMass-v0")) {
            for (int e = 0; e < episodes; e++) {
                env.reset(1000L + e, Map.of());
                while (true) {
                    var s = env.stepObject(new float[] {(float) (2 * rng.nextDouble() - 1), (float) (2 * rng.nextDouble() - 1)});
                    total += s.reward();
                    if (s.terminated() || s.truncated()) {
                        break;
                    }
                }
            }
        }
        return total / episodes;
    }

    private static void trainAndCheck(ContinuousSacConfig cfg, long steps, String label) {
        EnvRegistry reg = registry();
        long t0 = System.nanoTime();
        Trainer.TrainResult r = Trainer.train(reg, new TrainRequest(cfg, "PointMass-v0", 1, Budget.steps(steps)), null, null, null);
        double secs = (System.nanoTime() - t0) / 1e9;
        Policy p = r.policy();
        EvalResult ev = Evaluator.evaluate(p, reg, "PointMass-v0", Map.of(), 50, 123, true, () -> false);
        double random = randomReturn(reg, 50);
        System.out.printf("continuous SAC PointMass %s: %d steps, %d updates in %.1f s; greedy %s; random %.2f%n",
                label, r.envSteps(), r.updates(), secs, ev, random);
        assertTrue(random < -35, "random actions should do badly, got " + random);
        assertTrue(ev.mean() > -15, label + ": greedy return " + ev.mean() + " (random " + random + ")");
    }

    @Test
    void learnsToReachTheTarget() {
        trainAndCheck(ContinuousSacConfig.small(), 3_000, "plain");
    }

    @Test
    void learnsWithGrokfastAndGrade() {
        trainAndCheck(ContinuousSacConfig.small().withAugmentations(Augmentations.NONE.withGrokfast(true).withGrade(true)),
                3_000, "grokfast+grade");
    }
}
