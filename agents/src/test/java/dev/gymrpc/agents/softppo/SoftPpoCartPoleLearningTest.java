package dev.gymrpc.agents.softppo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.agents.Budget;
import dev.gymrpc.agents.EvalResult;
import dev.gymrpc.agents.Evaluator;
import dev.gymrpc.agents.TrainRequest;
import dev.gymrpc.agents.Trainer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Soft PPO (the {@code cartpole} preset: RL-Zoo's CartPole PPO, alpha 0.1 in the returns, soft
 * advantage) solves CartPole-v1: greedy mean return >= 475 over 20 episodes. Fixed seed, budget as
 * {@code PpoCartPoleLearningTest}.
 */
class SoftPpoCartPoleLearningTest {

    @Test
    void softPpoSolvesCartPole() {
        long t0 = System.nanoTime();
        Trainer.TrainResult r = Trainer.train(new TrainRequest(SoftPpoConfig.cartPole(), "CartPole-v1", 1,
                Budget.steps(100_000)), null, null);
        EvalResult ev = Evaluator.evaluate(r.policy(), "CartPole-v1", Map.of(), 20, 77, true);
        System.out.printf("soft PPO CartPole: %d steps, %d episodes, %d updates in %.1f s; greedy %s%n", r.envSteps(),
                r.episodes(), r.updates(), (System.nanoTime() - t0) / 1e9, ev);
        assertTrue(ev.mean() >= 475, "greedy mean return " + ev.mean());
    }
}
