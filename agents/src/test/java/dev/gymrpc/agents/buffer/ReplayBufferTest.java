package dev.gymrpc.agents.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.agents.util.Rng;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {

    @Test
    void wrapsAroundKeepingTheNewestTransitions() {
        ReplayBuffer b = new ReplayBuffer(3, 1);
        for (int i = 0; i < 5; i++) {
            b.add(new float[] {i}, i, i * 10f, new float[] {i + 1}, i == 4);
        }
        assertEquals(3, b.size());
        assertEquals(20f, b.reward(0));
        assertEquals(30f, b.reward(1));
        assertEquals(40f, b.reward(2));
        assertEquals(4, b.action(2));
    }

    @Test
    void samplesOnlyStoredTransitionsConsistently() {
        ReplayBuffer b = new ReplayBuffer(100, 2);
        for (int i = 0; i < 10; i++) {
            b.add(new float[] {i, -i}, i % 4, i, new float[] {i + 1, -i - 1}, i % 3 == 0);
        }
        ReplayBuffer.Batch batch = new ReplayBuffer.Batch(64, 2);
        b.sample(new Rng(1), batch);
        for (int k = 0; k < 64; k++) {
            int i = (int) batch.rewards[k];
            assertTrue(i >= 0 && i < 10);
            assertEquals(i, batch.obs[2 * k]);
            assertEquals(-i, batch.obs[2 * k + 1]);
            assertEquals(i + 1, batch.nextObs[2 * k]);
            assertEquals(i % 4, batch.actions[k]);
            assertEquals(i % 3 == 0 ? 1f : 0f, batch.terminated[k]);
        }
    }
}
