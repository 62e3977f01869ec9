package dev.gymrpc.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.sac.SacConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelIOTest {

    @TempDir
    Path dir;

    @Test
    void savedPolicyActsIdenticallyAndKeepsProvenance() throws Exception {
        SacConfig cfg = SacConfig.lunarLander().withHidden(List.of(16, 8))
                .withAugmentations(Augmentations.NONE.withGrokfast(true).withGradClip(5));
        Trainer.TrainResult r = Trainer.train(new TrainRequest(cfg.withSchedule(50, 1, 1).withBatchSize(16), "FourRooms-v0",
                Map.of("reward_scheme", "dense"), 4, Budget.steps(120), EvalSchedule.NONE), null, null);
        Policy p = r.policy();
        Path f = dir.resolve("m/model.zip");
        p.save(f);
        assertEquals(true, Files.size(f) > 0);
        Policy q = Policy.load(f);
        assertEquals(p.config(), q.config());
        assertEquals("FourRooms-v0", q.envId());
        assertEquals(4, q.seed());
        assertEquals(Map.of("reward_scheme", "dense"), q.envOptions());
        assertEquals(p.versions(), q.versions());
        assertArrayEquals(p.sizes(), q.sizes());
        assertArrayEquals(p.parameters(), q.parameters());
        float[] obs = {0.1f, 0.2f, 0.9f, 0.5f, 0.3f, 0.3f};
        Policy.Actions a = p.act(obs, 3, true);
        Policy.Actions b = q.act(obs, 3, true);
        assertArrayEquals(a.actions(), b.actions());
        assertArrayEquals(a.probabilities(), b.probabilities());
        // Stochastic: same seed, same draws.
        Policy.Actions sa = p.copy().act(obs, 3, false);
        Policy.Actions sb = q.copy().act(obs, 3, false);
        assertArrayEquals(sa.actions(), sb.actions());
    }

    @Test
    void ppoConfigRoundTripsThroughJson() throws Exception {
        PpoConfig cfg = PpoConfig.lunarLanderTuned().withAugmentations(Augmentations.NONE.withGrade(0.02, 0.9));
        Policy p = new Policy(cfg, "CartPole-v1", Map.of(), 9, new int[] {4, 3, 2}, new float[(4 + 1) * 3 + (3 + 1) * 2],
                ActionHead.categorical(new dev.gymrpc.envs.Discrete(2)), RunContext.versions());
        Path f = dir.resolve("ppo.zip");
        p.save(f);
        assertEquals(cfg, Policy.load(f).config());
    }
}
