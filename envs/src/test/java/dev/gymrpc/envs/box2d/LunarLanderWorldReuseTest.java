package dev.gymrpc.envs.box2d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.envs.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The env keeps one jbox2d world for all its episodes ({@link Box2dWorld}); a seeded episode must
 * not depend on the episodes before it. Episode k of a long run of resets on one env must equal, bit for
 * bit (observations, rewards, flags, length), the same seed's episode on a new env, whose first reset
 * builds a new world. The run mixes random, heuristic and noisy-heuristic episodes (crashes, flights off
 * the screen, landings that end asleep, time-outs) and episodes cut off mid-flight or while the legs
 * touch the ground, so the world is cleared with live contacts and joints in it.
 */
class LunarLanderWorldReuseTest {

    private static final int EPISODES = 240;
    private static final int MAX_STEPS = 1000;

    /** One episode's trajectory as raw bits. */
    record Trace(long seed, List<String> steps) {
    }

    @Test
    void discreteEpisodesDoNotDependOnThePreviousOnes() {
        check(LunarLanderDiscrete::new, false);
    }

    @Test
    void discreteWithWindEpisodesDoNotDependOnThePreviousOnes() {
        check(() -> new LunarLanderDiscrete(-10, true, 15, 1.5), false);
    }

    @Test
    void continuousEpisodesDoNotDependOnThePreviousOnes() {
        check(LunarLanderContinuous::new, true);
    }

    private static void check(Supplier<LunarLander<?>> make, boolean continuous) {
        SplittableRandom plan = new SplittableRandom(20261201);
        long[] seeds = new long[EPISODES];
        int[] cutAt = new int[EPISODES];
        for (int k = 0; k < EPISODES; k++) {
            seeds[k] = plan.nextLong();
            // a third of the episodes is cut off early, at a random step, by the next reset
            cutAt[k] = plan.nextInt(3) == 0 ? 1 + plan.nextInt(300) : MAX_STEPS;
        }
        int landed = 0;
        int crashed = 0;
        int cut = 0;
        try (LunarLander<?> longLived = make.get()) {
            for (int k = 0; k < EPISODES; k++) {
                Trace reused = episode(longLived, seeds[k], k, cutAt[k], continuous);
                Trace fresh;
                try (LunarLander<?> env = make.get()) {
                    fresh = episode(env, seeds[k], k, cutAt[k], continuous);
                }
                assertEquals(fresh.steps().size(), reused.steps().size(), "length of episode " + k);
                for (int t = 0; t < fresh.steps().size(); t++) {
                    assertEquals(fresh.steps().get(t), reused.steps().get(t),
                            "episode " + k + " (seed " + seeds[k] + ") step " + t);
                }
                String last = reused.steps().get(reused.steps().size() - 1);
                landed += last.contains("r=" + Double.doubleToRawLongBits(100.0) + " ") ? 1 : 0;
                crashed += last.contains("r=" + Double.doubleToRawLongBits(-100.0) + " ") ? 1 : 0;
                cut += last.endsWith("term=false") ? 1 : 0;
            }
        }
        // the run covered the interesting endings
        assertTrue(landed >= 5, "landings: " + landed);
        assertTrue(crashed >= 20, "crashes: " + crashed);
        assertTrue(cut >= 20, "episodes cut off: " + cut);
    }

    /** Episode {@code k}: random actions, the heuristic, or the heuristic with 20% random actions. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Trace episode(LunarLander<?> env, long seed, int k, int cutAt, boolean continuous) {
        SplittableRandom actions = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int policy = k % 3;
        List<String> steps = new ArrayList<>();
        float[] s = env.reset(seed, Map.of()).observation();
        steps.add(bits(s, 0.0, false));
        for (int t = 0; t < Math.min(cutAt, MAX_STEPS); t++) {
            Object a;
            if (policy == 0 || (policy == 2 && actions.nextInt(5) == 0)) {
                a = continuous ? new float[] {(float) actions.nextDouble(-1, 1), (float) actions.nextDouble(-1, 1)}
                        : (Object) actions.nextInt(4);
            } else {
                a = LunarLanderHeuristic.act(s, continuous);
            }
            Step st = ((LunarLander) env).step(a);
            s = st.observation();
            steps.add(bits(s, st.reward(), st.terminated()));
            if (st.terminated()) {
                break;
            }
        }
        return new Trace(seed, steps);
    }

    private static String bits(float[] obs, double reward, boolean terminated) {
        StringBuilder b = new StringBuilder();
        for (float v : obs) {
            b.append(Integer.toHexString(Float.floatToRawIntBits(v))).append(' ');
        }
        return b.append("r=").append(Double.doubleToRawLongBits(reward)).append(" term=").append(terminated)
                .toString();
    }
}
