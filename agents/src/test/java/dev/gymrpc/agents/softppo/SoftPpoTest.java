package dev.gymrpc.agents.softppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.agents.Algorithm;
import dev.gymrpc.agents.Algorithms;
import dev.gymrpc.agents.Budget;
import dev.gymrpc.agents.Policy;
import dev.gymrpc.agents.TrainRequest;
import dev.gymrpc.agents.Trainer;
import dev.gymrpc.agents.ppo.PpoConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Soft PPO's terms, its registration as a plug-in, and that with alpha = 0 it is PPO to the bit. */
class SoftPpoTest {

    @Test
    void softRewardAddsAlphaTimesEntropy() {
        SoftTerms t = new SoftTerms(0.5, false);
        assertEquals(1.0 + 0.5 * 0.7, t.reward(1.0, 0.7), 1e-12);
    }

    @Test
    void softAdvantageSubtractsAlphaLogPiInAdvantageUnits() {
        float[] adv = {1f, -2f, 0f};
        float[] logp = {-0.1f, -2f, (float) Math.log(0.5)};
        new SoftTerms(0.2, true).advantages(adv, logp, 3, 0.5);
        assertArrayEquals(new float[] {1f + 0.01f, -2f + 0.2f, (float) (0.1 * Math.log(2))}, adv, 1e-6f);
        float[] same = {1f, -2f, 0f};
        new SoftTerms(0.2, false).advantages(same, logp, 3, 0.5);
        assertArrayEquals(new float[] {1f, -2f, 0f}, same);
    }

    @Test
    void registeredWithSchemaAndPresets() {
        Algorithm a = Algorithms.get("soft-ppo");
        assertEquals(SoftPpoConfig.class, a.configType());
        assertTrue(a.schema().has("alpha") && a.schema().has("soft_advantage") && a.schema().has("gamma")
                && a.schema().has("augmentations.grade"), a.schema().fields().toString());
        assertEquals(java.util.List.of("paper", "cartpole"), java.util.List.copyOf(a.presets().keySet()));
        SoftPpoConfig c = a.schema().apply(SoftPpoConfig.cartPole(), Map.of("alpha", "0.3", "augmentations.grade", true, "gamma", 0.95));
        assertEquals(0.3, c.alpha());
        assertEquals(0.95, c.gamma());
        assertTrue(c.augmentations().grade());
    }

    /** Both rollout modes: episodic Monte-Carlo (paper) and fixed-length GAE over several envs (cartpole). */
    @Test
    void alphaZeroWithoutSoftAdvantageIsPpoBitForBit() {
        PpoConfig episodic = PpoConfig.paper();
        PpoConfig vector = PpoConfig.cartPole();
        for (PpoConfig p : new PpoConfig[] {episodic, vector}) {
            TrainRequest ppoReq = new TrainRequest(p, "CartPole-v1", 3, Budget.steps(3_000));
            TrainRequest softReq = new TrainRequest(new SoftPpoConfig(p, 0.0, false), "CartPole-v1", 3, Budget.steps(3_000));
            Policy a = Trainer.train(ppoReq, null, null).policy();
            Policy b = Trainer.train(softReq, null, null).policy();
            assertArrayEquals(a.parameters(), b.parameters());
            assertEquals("soft-ppo", b.algorithm());
        }
    }

    @Test
    void alphaChangesTheRun() {
        TrainRequest ppoReq = new TrainRequest(PpoConfig.cartPole(), "CartPole-v1", 3, Budget.steps(2_000));
        TrainRequest softReq = new TrainRequest(SoftPpoConfig.cartPole(), "CartPole-v1", 3, Budget.steps(2_000));
        float[] a = Trainer.train(ppoReq, null, null).policy().parameters();
        float[] b = Trainer.train(softReq, null, null).policy().parameters();
        assertTrue(!java.util.Arrays.equals(a, b));
    }

    /** Grokfast and GrAdE come with the embedded PPO config and act in a soft PPO run. */
    @Test
    void grokfastAndGradeCompose() {
        SoftPpoConfig cfg = SoftPpoConfig.cartPole().withAugmentations(
                PpoConfig.cartPole().augmentations().withGrokfast(true).withGrade(0.02, 0.9));
        java.util.List<Map<String, Double>> updates = new java.util.ArrayList<>();
        dev.gymrpc.agents.TrainingListener l = new dev.gymrpc.agents.TrainingListener() {
            @Override
            public void onUpdate(long envSteps, long update, Map<String, Double> metrics) {
                updates.add(Map.copyOf(metrics));
            }
        };
        Trainer.train(new TrainRequest(cfg, "CartPole-v1", 4, Budget.steps(1_024)), l, null);
        Map<String, Double> last = updates.get(updates.size() - 1);
        assertTrue(last.containsKey("grade/ratio") && last.get("grade/ratio") > 0, last.toString());
        // GrAdE sets the loss-side entropy coefficient to kappa * ratio.
        assertEquals(0.02 * last.get("grade/ratio"), last.get("losses/ent_coef"), 1e-9);
        assertTrue(last.containsKey("grad/actor_norm_filtered"), last.keySet().toString());
    }

    @Test
    void modelFileKeepsTheSoftConfig(@TempDir Path dir) throws Exception {
        SoftPpoConfig cfg = SoftPpoConfig.cartPole().withAlpha(0.05);
        Policy p = Trainer.train(new TrainRequest(cfg, "CartPole-v1", 2, Budget.steps(512)), null, null).policy();
        Path f = dir.resolve("m.zip");
        p.save(f);
        Policy q = Policy.load(f);
        assertEquals(cfg, q.config());
        assertTrue(Files.size(f) > 0);
        assertArrayEquals(p.parameters(), q.parameters());
    }
}
