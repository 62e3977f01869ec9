package dev.gymrpc.envs.box2d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.envs.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Whole episodes of the original (Gymnasium 1.3 on pybox2d), replayed in the port with the recorded
 * random draws and actions: landing and coming to rest (+100), continuous throttles, wind, and crashes.
 * Float-level differences between jbox2d and Box2D 2.3 (operation order, libm) are expected to stay
 * small; each episode must end on the same step with the same final reward.
 */
class LunarLanderReferenceEpisodesTest {

    private static final double OBS_TOLERANCE = 1e-4;
    private static final double REWARD_TOLERANCE = 1e-2;

    /** Replays recorded draws: uniforms (bounds implied by the documented draw order) and wind integers. */
    private static final class Replay implements RandomGenerator {
        private final List<String> tokens;
        private int next;
        private int uniforms;

        Replay(List<String> tokens) {
            this.tokens = tokens;
        }

        @Override
        public long nextLong() {
            throw new AssertionError("unexpected raw nextLong()");
        }

        @Override
        public double nextDouble() {
            String t = tokens.get(next++);
            if (t.startsWith("i")) {
                throw new AssertionError("draw " + (next - 1) + ": the original drew an integer here, the port a double");
            }
            double v = Double.parseDouble(t);
            int k = uniforms++;
            double lo = k < 12 ? 0 : k < 14 ? -LunarLander.INITIAL_RANDOM : -1.0;
            double hi = k < 12 ? LunarLander.H / 2 : k < 14 ? LunarLander.INITIAL_RANDOM : 1.0;
            return (v - lo) / (hi - lo);
        }

        @Override
        public long nextLong(long origin, long bound) {
            String t = tokens.get(next++);
            if (!t.startsWith("i")) {
                throw new AssertionError("draw " + (next - 1) + ": the original drew a double here, the port an integer");
            }
            return Long.parseLong(t.substring(1));
        }

        int remaining() {
            return tokens.size() - next;
        }
    }

    private static float[] floats(String[] parts, int from) {
        float[] f = new float[parts.length - from];
        for (int i = 0; i < f.length; i++) {
            f[i] = Float.parseFloat(parts[from + i]);
        }
        return f;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @Test
    void portReplaysTheOriginalsEpisodes() {
        for (String episode : LunarLanderReferenceEpisodes.ALL) {
            String[] lines = episode.split("\n");
            String[] header = lines[0].split(" ");
            String name = lines[0];
            boolean continuous = Boolean.parseBoolean(header[3]);
            boolean wind = Boolean.parseBoolean(header[5]);
            int steps = Integer.parseInt(header[7]);
            double refReturn = Double.parseDouble(header[9]);

            List<String> draws = new ArrayList<>();
            int i = 1;
            for (; lines[i].startsWith("d "); i++) {
                draws.addAll(List.of(lines[i].substring(2).split(" ")));
            }
            Replay g = new Replay(draws);
            LunarLander<?> env = continuous
                    ? new LunarLanderContinuous(LunarLander.CONTINUOUS_SPEC, -10, wind, 15, 1.5, s -> g)
                    : new LunarLanderDiscrete(LunarLander.SPEC, -10, wind, 15, 1.5, s -> g);
            float[] refReset = floats(lines[i++].substring(2).split(" "), 0);
            double maxObsErr = maxAbsDiff(env.reset(0L, Map.of()).observation(), refReset);
            double maxRewardErr = 0;
            double ret = 0;
            int t = 0;
            Step s = null;
            for (; i < lines.length; i++) {
                String[] p = lines[i].split(" ");
                t++;
                if (continuous) {
                    String[] a = p[1].split(",");
                    s = ((LunarLanderContinuous) env).step(new float[] {Float.parseFloat(a[0]), Float.parseFloat(a[1])});
                } else {
                    s = ((LunarLanderDiscrete) env).step(Integer.parseInt(p[1]));
                }
                double refReward = Double.parseDouble(p[2]);
                boolean refTerminated = p[3].equals("1");
                float[] refObs = floats(p, 4);
                maxObsErr = Math.max(maxObsErr, maxAbsDiff(s.observation(), refObs));
                maxRewardErr = Math.max(maxRewardErr, Math.abs(s.reward() - refReward));
                ret += s.reward();
                assertEquals(refTerminated, s.terminated(), name + ": terminated at step " + t);
            }
            System.out.printf("reference episode [%s]: %d steps, max |obs err| %.2e, max |reward err| %.2e, "
                    + "return %.4f (original %.4f), final reward %.0f%n", name, t, maxObsErr, maxRewardErr, ret,
                    refReturn, s.reward());
            assertEquals(steps, t);
            assertTrue(s.terminated());
            assertEquals(0, g.remaining(), name + ": every recorded draw consumed");
            assertTrue(maxObsErr < OBS_TOLERANCE, name + ": observation error " + maxObsErr);
            assertTrue(maxRewardErr < REWARD_TOLERANCE, name + ": reward error " + maxRewardErr);
            assertEquals(refReturn, ret, 0.05, name);
        }
    }
}
