package dev.gymrpc.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gymrpc.agents.io.RecordCodec;
import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.sac.SacConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigValidationTest {

    @Test
    void presetsMatchThePaperTables() {
        SacConfig fr = SacConfig.fourRooms();
        assertEquals(List.of(256), fr.hidden());
        assertEquals(10_000, fr.bufferSize());
        assertEquals(1.0, fr.initialAlpha());
        assertEquals(5_000, fr.learningStarts());
        assertEquals(0.5, fr.targetEntropyScale());
        SacConfig ll = SacConfig.lunarLander();
        assertEquals(1_000_000, ll.bufferSize());
        assertEquals(50, ll.trainFreq());
        assertEquals(50, ll.gradientSteps());
        assertEquals(-10.0, ll.rewardClipLow());
        assertEquals(0.6, ll.targetEntropyScale());
        PpoConfig p = PpoConfig.paper();
        assertEquals(List.of(128, 128), p.hidden());
        assertEquals(5, p.epochs());
        assertEquals(5e-4, p.actorLr());
        assertEquals(1e-3, p.criticLr());
        assertEquals(true, p.episodic());
    }

    @Test
    void messagesNameTheFieldAndRange() {
        Algorithm sac = Algorithms.get("sac");
        Map<String, Object> m = new LinkedHashMap<>(RecordCodec.toMap(SacConfig.fourRooms()));
        m.put("tau", 1.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dev.gymrpc.agents.io.ModelIO.config("sac", m));
        assertEquals("tau must be (0, 1], got 1.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PpoConfig.paper().withRollout(4, 0, 0, 5));
        assertEquals("num_envs must be 1 when rollout_steps = 0 (one episode per update), got 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> sac.schema().apply(SacConfig.fourRooms(), Map.of("augmentations.grad_clip", -1)));
        assertEquals("augmentations.grad_clip must be >= 0, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SacConfig.preset("nope"));
        assertEquals("preset 'nope' is not a preset of sac; choose one of fourrooms, fourrooms-fast, lunarlander", e.getMessage());
    }

    @Test
    void everyPresetRoundTripsThroughJson() {
        Presets.names().forEach((algo, names) -> {
            for (String n : names) {
                AlgoConfig c = Presets.get(algo, n);
                assertEquals(algo, c.algorithm());
                assertEquals(c, Presets.fromJson(algo, Presets.toJson(c)));
            }
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Presets.get("dqn", "x"));
        assertEquals("algorithm 'dqn' is unknown; choose one of " + String.join(", ", Algorithms.names()), e.getMessage());
    }

    @Test
    void recordCodecRoundTripsNonFiniteValuesAndRejectsUnknownKeys() {
        SacConfig c = SacConfig.fourRooms();
        Map<String, Object> m = RecordCodec.toMap(c);
        Object parsed = dev.gymrpc.agents.io.Json.parse(dev.gymrpc.agents.io.Json.write(m));
        assertEquals(c, RecordCodec.fromMap(SacConfig.class, (Map<?, ?>) parsed));
        Map<String, Object> bad = new LinkedHashMap<>(m);
        bad.put("tua", 0.1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecordCodec.fromMap(SacConfig.class, bad));
        assertEquals("unknown SacConfig field 'tua'", e.getMessage());
    }
}
