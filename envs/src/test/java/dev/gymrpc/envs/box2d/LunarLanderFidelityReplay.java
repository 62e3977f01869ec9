package dev.gymrpc.envs.box2d;

import dev.gymrpc.envs.Step;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Fidelity tools against Gymnasium 1.3 (see docs/fidelity.md); run from the test classpath, not part of
 * the test suite (they need files recorded with {@code envs/fidelity/record_reference.py}):
 *
 * <ul>
 *   <li>{@code replay REFERENCE OUT.csv}: replays every recorded episode in the port with the original's
 *       random draws and actions and writes one CSV row per episode: lengths, returns, the first step
 *       whose observation differs by more than 1e-3 and what differed first there (a leg-contact flag,
 *       the game-over/out-of-bounds termination, the {@code awake} rule, or a continuous drift).
 *   <li>{@code sample FIRST_SEED COUNT OUT.csv [random|heuristic] [wind]}: episodes with the port's own
 *       generator and seeds (what users get), one CSV row each (seed, length, return, final reward), for
 *       distribution tests (KS) against the original's.
 * </ul>
 */
public final class LunarLanderFidelityReplay {

    static final double DIVERGED = 1e-3;

    private LunarLanderFidelityReplay() {
    }

    /** Replays recorded draws: uniforms (bounds implied by the documented draw order) and wind integers. */
    static final class Replay implements RandomGenerator {
        private final List<String> tokens;
        private int next;
        private int uniforms;

        Replay(List<String> tokens) {
            this.tokens = tokens;
        }

        @Override
        public long nextLong() {
            throw new IllegalStateException("unexpected raw nextLong()");
        }

        @Override
        public double nextDouble() {
            if (next >= tokens.size()) {
                throw new Exhausted();
            }
            String t = tokens.get(next++);
            double v = Double.parseDouble(t);
            int k = uniforms++;
            double lo = k < 12 ? 0 : k < 14 ? -LunarLander.INITIAL_RANDOM : -1.0;
            double hi = k < 12 ? LunarLander.H / 2 : k < 14 ? LunarLander.INITIAL_RANDOM : 1.0;
            return (v - lo) / (hi - lo);
        }

        @Override
        public long nextLong(long origin, long bound) {
            return Long.parseLong(tokens.get(next++).substring(1));
        }
    }

    /** The recording ended (the port's episode runs longer than the original's). */
    static final class Exhausted extends RuntimeException {
        Exhausted() {
            super(null, null, false, false);
        }
    }

    record RefStep(String action, double reward, boolean terminated, boolean truncated, float[] obs, boolean awake) {
    }

    record RefEpisode(long seed, boolean continuous, boolean wind, double ret, List<String> draws, float[] resetObs,
                      List<RefStep> steps) {
    }

    static List<RefEpisode> read(Path file) throws IOException {
        List<RefEpisode> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String line = r.readLine();
            while (line != null) {
                String[] h = line.split(" ");
                List<String> draws = new ArrayList<>();
                float[] resetObs = null;
                List<RefStep> steps = new ArrayList<>();
                while ((line = r.readLine()) != null && !line.startsWith("seed ")) {
                    String[] p = line.split(" ");
                    switch (p[0]) {
                        case "d" -> draws.addAll(List.of(p).subList(1, p.length));
                        case "o" -> resetObs = floats(p, 1, 8);
                        case "s" -> steps.add(new RefStep(p[1], Double.parseDouble(p[2]), p[3].equals("1"),
                                p[4].equals("1"), floats(p, 5, 8), p[13].equals("1")));
                        default -> throw new IOException("bad line: " + line);
                    }
                }
                out.add(new RefEpisode(Long.parseLong(h[1]), Boolean.parseBoolean(h[3]), Boolean.parseBoolean(h[5]),
                        Double.parseDouble(h[9]), draws, resetObs, steps));
            }
        }
        return out;
    }

    private static float[] floats(String[] p, int from, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = Float.parseFloat(p[from + i]);
        }
        return f;
    }

    static LunarLander<?> make(boolean continuous, boolean wind, java.util.function.LongFunction<RandomGenerator> g) {
        return continuous
                ? new LunarLanderContinuous(LunarLander.CONTINUOUS_SPEC, -10, wind, 15, 1.5, g)
                : new LunarLanderDiscrete(LunarLander.SPEC, -10, wind, 15, 1.5, g);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Step step(LunarLander<?> env, String action) {
        if (env instanceof LunarLanderContinuous c) {
            String[] a = action.split(",");
            return c.step(new float[] {Float.parseFloat(a[0]), Float.parseFloat(a[1])});
        }
        return ((LunarLander) env).step(Integer.parseInt(action));
    }

    /** One CSV row: what the port does with the original's draws and actions. */
    static String replay(RefEpisode e) {
        Replay g = new Replay(e.draws());
        LunarLander<?> env = make(e.continuous(), e.wind(), s -> g);
        float[] obs = env.reset(0L, Map.of()).observation();
        double resetErr = maxAbsDiff(obs, e.resetObs());
        double ret = 0;
        int t = 0;
        int firstDiverged = -1;
        String firstWhat = "";
        double maxErrBefore = resetErr;
        int legEvents = 0;
        int awakeMismatch = 0;
        Step s = null;
        boolean exhausted = false;
        int limit = 1000;
        while (t < limit) {
            // Follow the recorded actions while they last; afterwards, noop (the port ran longer).
            String action = t < e.steps().size() ? e.steps().get(t).action() : (e.continuous() ? "0,0" : "0");
            try {
                s = step(env, action);
            } catch (Exhausted x) {
                exhausted = true;
                break;
            }
            t++;
            ret += s.reward();
            if (t <= e.steps().size()) {
                RefStep ref = e.steps().get(t - 1);
                float[] o = s.observation();
                double err = maxAbsDiff(o, ref.obs());
                boolean legDiff = o[6] != ref.obs()[6] || o[7] != ref.obs()[7];
                boolean termDiff = s.terminated() != ref.terminated();
                boolean awakeDiff = env.landerBody().isAwake() != ref.awake();
                if (ref.obs()[6] != (t >= 2 ? e.steps().get(t - 2).obs()[6] : 0f)) {
                    legEvents++;
                }
                if (awakeDiff) {
                    awakeMismatch++;
                }
                if (firstDiverged < 0 && (err > DIVERGED || termDiff || awakeDiff
                        || Math.abs(s.reward() - ref.reward()) > 1e-2)) {
                    firstDiverged = t;
                    firstWhat = legDiff ? "leg_contact" : termDiff ? "terminated" : awakeDiff ? "awake"
                            : err > DIVERGED ? "drift" : "reward";
                }
                if (firstDiverged < 0) {
                    maxErrBefore = Math.max(maxErrBefore, err);
                }
            }
            if (s.terminated()) {
                break;
            }
        }
        RefStep last = e.steps().get(e.steps().size() - 1);
        return String.format(Locale.ROOT, "%d,%d,%d,%.6f,%.6f,%.1f,%.1f,%d,%s,%.3e,%d,%d,%b,%b", e.seed(),
                e.steps().size(), t, e.ret(), ret, last.reward(), s == null ? 0.0 : s.reward(), firstDiverged,
                firstWhat, maxErrBefore, legEvents, awakeMismatch, last.truncated(), exhausted);
    }

    static final String REPLAY_HEADER = "seed,ref_len,port_len,ref_return,port_return,ref_final_reward,"
            + "port_final_reward,first_diverged_step,first_diverged_what,max_obs_err_before,ref_leg0_changes,"
            + "awake_mismatch_steps,ref_truncated,port_ran_longer";

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    /** The port with its own generator: random or heuristic actions, time limit 1000. */
    static String sample(long seed, boolean heuristic, boolean wind) {
        LunarLander<?> env = make(false, wind, null);
        SplittableRandom actions = new SplittableRandom(seed + 1_000_000);
        float[] obs = env.reset(seed, Map.of()).observation();
        double ret = 0;
        int t = 0;
        Step s = null;
        while (t < 1000) {
            int a = heuristic ? LunarLanderHeuristic.discreteAction(obs) : actions.nextInt(4);
            s = step(env, Integer.toString(a));
            t++;
            ret += s.reward();
            obs = s.observation();
            if (s.terminated()) {
                break;
            }
        }
        return String.format(Locale.ROOT, "%d,%d,%.6f,%.1f,%b", seed, t, ret, s.reward(), !s.terminated());
    }

    public static void main(String[] args) throws IOException {
        switch (args[0]) {
            case "replay" -> {
                List<RefEpisode> episodes = read(Path.of(args[1]));
                try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])))) {
                    w.println(REPLAY_HEADER);
                    for (RefEpisode e : episodes) {
                        w.println(replay(e));
                    }
                }
                System.out.println("replayed " + episodes.size() + " episodes -> " + args[2]);
            }
            case "sample" -> {
                long first = Long.parseLong(args[1]);
                int count = Integer.parseInt(args[2]);
                boolean heuristic = args.length > 4 && args[4].equals("heuristic");
                boolean wind = args.length > 5 && args[5].equals("wind");
                try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(args[3])))) {
                    w.println("seed,length,return,final_reward,truncated");
                    for (long seed = first; seed < first + count; seed++) {
                        w.println(sample(seed, heuristic, wind));
                    }
                }
                System.out.println("sampled " + count + " episodes -> " + args[3]);
            }
            default -> throw new IllegalArgumentException("usage: replay REF OUT | sample FIRST COUNT OUT [random|heuristic] [wind]");
        }
    }
}
