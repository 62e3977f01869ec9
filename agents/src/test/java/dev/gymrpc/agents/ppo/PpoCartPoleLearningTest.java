package dev.gymrpc.agents.ppo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.agents.Budget;
import dev.gymrpc.agents.EvalResult;
import dev.gymrpc.agents.Evaluator;
import dev.gymrpc.agents.TrainRequest;
import dev.gymrpc.agents.Trainer;
import dev.gymrpc.agents.TrainingListener;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PpoCartPoleLearningTest {

    @Test
    void ppoSolvesCartPole() {
        long t0 = System.nanoTime();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onUpdate(long envSteps, long update, Map<String, Double> m) {
                if (update % 50 == 0) {
                    System.out.println("update " + update + " steps " + envSteps + " " + m);
                }
            }
        };
        Trainer.TrainResult r = Trainer.train(new TrainRequest(PpoConfig.cartPole(), "CartPole-v1", 1, Budget.steps(100_000)),
                l, null);
        System.out.printf("PPO CartPole: %d steps, %d episodes, %d updates in %.1f s%n", r.envSteps(), r.episodes(),
                r.updates(), (System.nanoTime() - t0) / 1e9);
        EvalResult ev = Evaluator.evaluate(r.policy(), "CartPole-v1", Map.of(), 20, 77, true);
        System.out.println("greedy eval " + ev);
        assertTrue(ev.mean() >= 475, "greedy mean return " + ev.mean());
    }
}
