package dev.gymrpc.agents.sac;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.agents.Budget;
import dev.gymrpc.agents.EpisodeStats;
import dev.gymrpc.agents.EvalResult;
import dev.gymrpc.agents.Evaluator;
import dev.gymrpc.agents.TrainRequest;
import dev.gymrpc.agents.Trainer;
import dev.gymrpc.agents.TrainingListener;
import dev.gymrpc.envs.fourrooms.FourRooms;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SacFourRoomsLearningTest {

    @Test
    void discreteSacFindsANearOptimalFourRoomsPolicy() {
        SacConfig cfg = SacConfig.fourRooms().withSchedule(2_000, 1, 1);
        long t0 = System.nanoTime();
        long[] updates = {0};
        TrainingListener l = new TrainingListener() {
            @Override
            public void onEpisode(EpisodeStats e) {
                if (e.episode() % 20 == 0) {
                    System.out.printf("episode %d steps %d return %.1f len %d%n", e.episode(), e.envSteps(), e.ret(), e.length());
                }
            }

            @Override
            public void onUpdate(long envSteps, long update, Map<String, Double> m) {
                updates[0] = update;
                if (update % 2000 == 0) {
                    System.out.println("update " + update + " " + m);
                }
            }
        };
        Trainer.TrainResult r = Trainer.train(new TrainRequest(cfg, "FourRooms-v0", 1, Budget.steps(25_000)), l, null);
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("SAC FourRooms: %d steps, %d updates in %.1f s (%.2f ms/update incl. env)%n", r.envSteps(),
                r.updates(), secs, 1e3 * secs / Math.max(1, r.updates()));
        EvalResult ev = Evaluator.evaluate(r.policy(), "FourRooms-v0", Map.of(), 50, 123, true);
        double optimum = FourRooms.optimalValues(0.99, 0.2)[0][0];
        System.out.println("greedy eval " + ev + " optimum " + optimum);
        assertTrue(ev.meanDiscounted() > optimum - 3, "greedy discounted return " + ev.meanDiscounted() + " vs optimum " + optimum);
    }
}
