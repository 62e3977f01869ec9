package dev.gymrpc.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.sac.SacConfig;
import dev.gymrpc.envs.EnvRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The paper's LunarLander presets run end to end on LunarLander-v3 (short budgets; long runs are in bench.Experiment). */
class LunarLanderSmokeTest {

    @Test
    void presetsRunOnLunarLander() {
        assertTrue(EnvRegistry.standard().ids().contains("LunarLander-v3"), "LunarLander-v3 is registered");
        SacConfig sac = SacConfig.lunarLander().withSchedule(200, 50, 50).withAugmentations(
                Augmentations.NONE.withGrokfast(true).withGrade(true));
        Trainer.TrainResult s = Trainer.train(new TrainRequest(sac, "LunarLander-v3", 1, Budget.steps(400)), null, null);
        assertEquals(400, s.envSteps());
        assertEquals(200, s.updates());
        assertEquals(8, s.policy().observationSize());
        assertEquals(4, s.policy().numActions());

        PpoConfig ppo = PpoConfig.paper().withAugmentations(Augmentations.NONE.withGrade(0.02, 0.9));
        Trainer.TrainResult p = Trainer.train(new TrainRequest(ppo, "LunarLander-v3", 1, Budget.episodes(2)), null, null);
        assertEquals(2, p.episodes());
        assertEquals(2, p.updates());
        EvalResult ev = Evaluator.evaluate(p.policy(), "LunarLander-v3", Map.of(), 2, 5, true);
        assertEquals(2, ev.episodes());
        assertEquals(List.of(128, 128), p.policy().config().hidden());
    }
}
