package dev.gymrpc.envs.classic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.envs.Options;
import dev.gymrpc.envs.Step;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CartPoleTest {

    private static CartPole make(Map<String, ?> opts) {
        return new CartPole(Options.parse("CartPole-v1", CartPole.OPTIONS, opts));
    }

    /**
     * Reference values from Gymnasium 1.3.0: {@code env.unwrapped.state = [0.01, -0.02, 0.03, 0.04]}, then
     * actions 1, 0, 1, 1, 0 (printed by {@code gymnasium.make("CartPole-v1").unwrapped.step}).
     */
    @Test
    void matchesGymnasiumEquations() {
        float[][] expected = {
            {0.009600000455975533f, 0.17467918992042542f, 0.030799999833106995f, -0.24306872487068176f},
            {0.013093584217131138f, -0.020868849009275436f, 0.025938626378774643f, 0.059167999774217606f},
            {0.012676207348704338f, 0.17387177050113678f, 0.02712198533117771f, -0.22521957755088806f},
            {0.016153642907738686f, 0.36859580874443054f, 0.02261759340763092f, -0.5092253088951111f},
            {0.023525558412075043f, 0.17316263914108276f, 0.012433087453246117f, -0.20950153470039368f},
        };
        int[] actions = {1, 0, 1, 1, 0};
        try (CartPole env = make(Map.of())) {
            env.reset(0);
            env.setState(0.01, -0.02, 0.03, 0.04);
            for (int i = 0; i < actions.length; i++) {
                Step s = env.step(actions[i]);
                assertArrayEquals(expected[i], s.observation(), 1e-7f, "step " + i);
                assertEquals(1.0, s.reward());
                assertFalse(s.terminated());
            }
        }
    }

    @Test
    void terminatesPastTheThresholdsWithRewardOne() {
        try (CartPole env = make(Map.of())) {
            env.reset(0);
            env.setState(2.39, 1.0, 0.0, 0.0);
            Step s = env.step(1);
            assertTrue(s.terminated(), "x beyond 2.4 terminates");
            assertEquals(1.0, s.reward(), "Gymnasium gives +1 on the terminating step too");
            env.reset(0);
            env.setState(0, 0, 0.2094, 0.5);
            assertTrue(env.step(1).terminated(), "theta beyond 12 degrees terminates");
        }
    }

    @Test
    void suttonBartoRewardOption() {
        try (CartPole env = make(Map.of("sutton_barto_reward", true))) {
            env.reset(0);
            assertEquals(0.0, env.step(1).reward());
            env.setState(2.39, 1.0, 0.0, 0.0);
            assertEquals(-1.0, env.step(1).reward());
        }
    }

    @Test
    void resetStateIsUniformInPlusMinusFiveHundredths() {
        try (CartPole env = make(Map.of())) {
            for (long seed = 0; seed < 200; seed++) {
                for (float v : env.reset(seed).observation()) {
                    assertTrue(Math.abs(v) <= 0.05f);
                }
            }
        }
    }
}
