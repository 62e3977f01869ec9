package dev.gymrpc.envs.box2d;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.Step;
import dev.gymrpc.envs.TimeLimit;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Gymnasium's heuristic controller, ported, over seeds 0..99 (time limit 1000), compared with the
 * reference's statistics measured with Gymnasium 1.3: discrete mean 252.8 (std 78.5, 91/100 at 200 or
 * more, mean length 253); continuous mean 280.3 (std 48.4, 99/100). Seeds give different terrains here
 * (Java generator, not NumPy's), so only the statistics are comparable. For scale, Gymnasium's own
 * discrete means over seed blocks 0..99, 100..199, ..., 500..599 are 252.8, 236.8, 236.7, 224.6, 242.6
 * and 250.0 (600 seeds: 240.6, 89.5% at 200 or more); continuous 600 seeds: 282.8, 99.7%. Whole
 * reference episodes are compared step by step in {@link LunarLanderReferenceEpisodesTest}.
 */
class LunarLanderHeuristicTest {

    record Stats(double mean, double std, int solved, double meanLength, double min, double max) {
        @Override
        public String toString() {
            return String.format("mean %.1f, std %.1f, %d >= 200, mean length %.1f, min %.1f, max %.1f", mean,
                    std, solved, meanLength, min, max);
        }
    }

    static <A> Stats run(Env<A> base, Function<float[], A> policy, int episodes) {
        return run(base, policy, 0, episodes);
    }

    /** Episodes with seeds {@code firstSeed .. firstSeed + episodes - 1}. */
    static <A> Stats run(Env<A> base, Function<float[], A> policy, int firstSeed, int episodes) {
        try (Env<A> env = TimeLimit.wrap(base, 1000)) {
            double sum = 0;
            double sumSq = 0;
            long steps = 0;
            int solved = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int seed = firstSeed; seed < firstSeed + episodes; seed++) {
                float[] s = env.reset((long) seed, Map.of()).observation();
                double ret = 0;
                while (true) {
                    Step st = env.step(policy.apply(s));
                    ret += st.reward();
                    steps++;
                    s = st.observation();
                    if (st.done()) {
                        break;
                    }
                }
                sum += ret;
                sumSq += ret * ret;
                solved += ret >= 200 ? 1 : 0;
                min = Math.min(min, ret);
                max = Math.max(max, ret);
            }
            double mean = sum / episodes;
            double std = Math.sqrt(Math.max(0, sumSq / episodes - mean * mean));
            return new Stats(mean, std, solved, steps / (double) episodes, min, max);
        }
    }

    @Test
    void discreteHeuristicScoresLikeGymnasium() {
        Stats st = run(new LunarLanderDiscrete(), LunarLanderHeuristic::discreteAction, 100);
        System.out.println("heuristic LunarLander-v3 seeds 0..99: " + st
                + "   (Gymnasium: mean 252.8, std 78.5, 91/100, mean length 253)");
        assertTrue(st.mean() >= 230 && st.mean() <= 275, st.toString());
        assertTrue(st.solved() >= 85, st.toString());
    }

    @Test
    void continuousHeuristicScoresLikeGymnasium() {
        Stats st = run(new LunarLanderContinuous(), LunarLanderHeuristic::continuousAction, 100);
        System.out.println("heuristic LunarLanderContinuous-v3 seeds 0..99: " + st
                + "   (Gymnasium: mean 280.3, std 48.4, 99/100)");
        assertTrue(st.mean() >= 260, st.toString());
        assertTrue(st.solved() >= 90, st.toString());
    }

    @Test
    void randomPolicyScoresLikeGymnasium() {
        SplittableRandom actions = new SplittableRandom(12345);
        Stats st = run(new LunarLanderDiscrete(), s -> actions.nextInt(4), 100);
        System.out.println("uniform random policy LunarLander-v3 seeds 0..99: " + st
                + "   (Gymnasium: about -175 to -190)");
        assertTrue(st.mean() >= -250 && st.mean() <= -120, st.toString());
    }
}
