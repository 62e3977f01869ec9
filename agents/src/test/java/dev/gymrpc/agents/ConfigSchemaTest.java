package dev.gymrpc.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.agents.config.ConfigSchema;
import dev.gymrpc.agents.config.InvalidConfigException;
import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.sac.SacConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigSchemaTest {

    @Test
    void everyAlgorithmIsFoundAndDescribesItsFields() {
        assertTrue(Algorithms.names().containsAll(List.of("ppo", "sac")), Algorithms.names().toString());
        for (Algorithm a : Algorithms.all().values()) {
            ConfigSchema s = a.schema();
            assertTrue(s.fields().size() > 5, a.name());
            for (ConfigSchema.Field f : s.fields()) {
                assertTrue(!f.doc().isBlank(), f.name());
                assertTrue(f.name().matches("[a-z0-9_.]+"), f.name());
            }
            assertTrue(s.has("augmentations.grokfast"), a.name());
            assertTrue(s.has("gamma"), a.name());
            // Every preset is a valid config and survives the schema's map form.
            a.presets().forEach((name, c) -> {
                s.validate((Record) c);
                assertEquals(c, s.apply((Record) c, s.toMap((Record) c)), a.name() + "/" + name);
                assertEquals(a.name(), c.algorithm());
            });
        }
    }

    @Test
    void valuesFromTheWireOrTextAreCoercedAndRangeChecked() {
        ConfigSchema s = Algorithms.get("ppo").schema();
        PpoConfig c = s.apply(PpoConfig.paper(), Map.of("hidden_sizes", "64,32", "gamma", 0.98, "advantage", "gae",
                "epochs", 3L, "augmentations.grokfast", "true", "target_kl", "0.02"));
        assertEquals(List.of(64, 32), c.hidden());
        assertEquals(0.98, c.gamma());
        assertEquals(PpoConfig.Advantage.GAE, c.advantage());
        assertEquals(3, c.epochs());
        assertTrue(c.augmentations().grokfast());
        assertEquals(0.02, c.targetKl());
        assertEquals(List.of(7, 7), s.apply(PpoConfig.paper(), Map.of("hidden_sizes", new long[] {7, 7})).hidden());
        // The legacy proto enum spelling maps too.
        assertEquals(PpoConfig.Advantage.MC,
                s.apply(c, Map.of("advantage", "ADVANTAGE_ESTIMATOR_MC")).advantage());

        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> s.apply(PpoConfig.paper(), Map.of("gamma", 1.5)));
        assertEquals("gamma", e.field());
        assertEquals("gamma must be [0, 1], got 1.5", e.getMessage());
        e = assertThrows(InvalidConfigException.class, () -> s.apply(PpoConfig.paper(), Map.of("epochs", 2.5)));
        assertEquals("epochs must be an integer, got 2.5", e.getMessage());
        e = assertThrows(InvalidConfigException.class, () -> s.apply(PpoConfig.paper(), Map.of("advantage", "td")));
        assertEquals("advantage must be one of mc, gae, got td", e.getMessage());
        e = assertThrows(InvalidConfigException.class, () -> s.apply(PpoConfig.paper(), Map.of("gama", 0.9)));
        assertEquals("gama", e.field());
        assertTrue(e.getMessage().contains("valid fields: hidden_sizes, init, actor_lr"), e.getMessage());
        e = assertThrows(InvalidConfigException.class, () -> s.apply(PpoConfig.paper(), Map.of("hidden_sizes", "64,0")));
        assertEquals("hidden_sizes must be each >= 1, got 0", e.getMessage());
        e = assertThrows(InvalidConfigException.class, () -> s.apply(PpoConfig.paper(), Map.of("actor_lr", Double.NaN)));
        assertEquals("actor_lr must be a number > 0, got NaN", e.getMessage());
    }

    @Test
    void infinityIsAllowedOnlyWhereTheFieldSaysSo() {
        ConfigSchema s = Algorithms.get("sac").schema();
        assertEquals(Double.NEGATIVE_INFINITY,
                s.apply(SacConfig.lunarLander(), Map.of("reward_clip_low", "-inf")).rewardClipLow());
        assertThrows(InvalidConfigException.class, () -> s.apply(SacConfig.lunarLander(), Map.of("gamma", "inf")));
        assertEquals("a number or -inf/inf", s.field("reward_clip_low").range());
        assertEquals("(0, 1]", s.field("tau").range());
        assertEquals("one of xavier_normal, ddpg_uniform", s.field("init").range());
    }

    @Test
    void trainingChecksTheConfigAndTheActionSpace() {
        SacConfig bad = new SacConfig(List.of(16), dev.gymrpc.agents.nn.Mlp.Init.DDPG_UNIFORM, 2.0, 0.005, 3e-4, 3e-4,
                3e-4, 1, true, 0.5, 16, 100, 10, 1, 1, Double.NEGATIVE_INFINITY, Augmentations.NONE);
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> Trainer.train(new TrainRequest(bad, "FourRooms-v0", 1, Budget.steps(10)), null, null));
        assertEquals("gamma", e.field());
        e = assertThrows(InvalidConfigException.class, () -> Trainer.train(
                new TrainRequest(SacConfig.fourRooms(), "LunarLanderContinuous-v3", 1, Budget.steps(10)), null, null));
        assertEquals("env_id", e.field());
        assertTrue(e.getMessage().contains("sac acts in [discrete]"), e.getMessage());
    }
}
