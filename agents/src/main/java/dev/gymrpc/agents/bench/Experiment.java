package dev.gymrpc.agents.bench;

import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Augmentations;
import dev.gymrpc.agents.Budget;
import dev.gymrpc.agents.EpisodeStats;
import dev.gymrpc.agents.EvalResult;
import dev.gymrpc.agents.EvalSchedule;
import dev.gymrpc.agents.TrainRequest;
import dev.gymrpc.agents.Trainer;
import dev.gymrpc.agents.TrainingListener;
import dev.gymrpc.agents.csac.ContinuousSacConfig;
import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.sac.SacConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Longer runs of the presets, writing the learning curve as CSV (one row per episode, plus evaluation
 * rows). Not a test: results are reported, not asserted.
 *
 * <pre>
 * java ... dev.gymrpc.agents.bench.Experiment ALGO PRESET ENV_ID STEPS EPISODES SEED OUT.csv [grokfast] [grade]
 *          [hidden=64,64] [batch=64] [lr=1e-3] [starts=2000] [evalEvery=10] [evalEverySteps=25000] [evalEpisodes=10]
 * e.g. ... Experiment sac fourrooms FourRooms-v0 0 1000 1 runs/sac_fr_s1.csv grokfast
 *      ... Experiment sac-continuous lunarlander-continuous LunarLanderContinuous-v3 500000 0 1 runs/csac_s1.csv evalEverySteps=25000
 * </pre>
 */
public final class Experiment {

    private Experiment() {
    }

    public static void main(String[] a) throws IOException {
        String algo = a[0];
        String preset = a[1];
        String env = a[2];
        long steps = Long.parseLong(a[3]);
        long episodes = Long.parseLong(a[4]);
        long seed = Long.parseLong(a[5]);
        Path out = Path.of(a[6]);
        Augmentations aug = Augmentations.NONE;
        int evalEvery = 10;
        int evalEpisodes = 10;
        long evalEverySteps = 0;
        AlgoConfig cfg = dev.gymrpc.agents.Presets.get(algo, preset);
        for (int i = 7; i < a.length; i++) {
            String s = a[i];
            if (s.equals("grokfast")) {
                aug = aug.withGrokfast(true);
            } else if (s.equals("grade")) {
                aug = aug.withGrade(true);
            } else if (s.startsWith("evalEvery=")) {
                evalEvery = Integer.parseInt(s.substring(10));
            } else if (s.startsWith("evalEverySteps=")) {
                evalEverySteps = Long.parseLong(s.substring(15));
                evalEvery = 0;
            } else if (s.startsWith("evalEpisodes=")) {
                evalEpisodes = Integer.parseInt(s.substring(13));
            } else if (cfg instanceof SacConfig sc) {
                cfg = sacOverride(sc, s);
            } else {
                throw new IllegalArgumentException("unknown argument " + s);
            }
        }
        if (cfg instanceof SacConfig sc) {
            cfg = sc.withAugmentations(aug);
        } else if (cfg instanceof ContinuousSacConfig cc) {
            cfg = cc.withAugmentations(aug);
        } else if (cfg instanceof PpoConfig pc) {
            cfg = pc.withAugmentations(aug.grade() ? aug.withGrade(0.02, 0.9) : aug.withGradClip(pc.augmentations().gradClip()));
        }
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        System.out.println("config " + cfg);
        long t0 = System.nanoTime();
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
            w.println("kind,episode,env_steps,return,length,discounted,eval_mean,eval_std,eval_discounted,entropy,alpha_or_entcoef,actor_grad,critic_grad,grade_ratio");
            double[] last = new double[5];
            TrainingListener l = new TrainingListener() {
                @Override
                public void onEpisode(EpisodeStats e) {
                    w.printf(Locale.ROOT, "episode,%d,%d,%.4f,%d,%.4f,,,,%.5f,%.5f,%.5f,%.5f,%.5f%n", e.episode(), e.envSteps(),
                            e.ret(), e.length(), e.discounted(), last[0], last[1], last[2], last[3], last[4]);
                }

                @Override
                public void onUpdate(long envSteps, long update, Map<String, Double> m) {
                    last[0] = m.getOrDefault("losses/entropy", Double.NaN);
                    last[1] = m.containsKey("losses/alpha") ? m.get("losses/alpha") : m.getOrDefault("losses/ent_coef", Double.NaN);
                    last[2] = m.getOrDefault("grad/actor_norm", Double.NaN);
                    last[3] = m.getOrDefault("grad/critic_norm", Double.NaN);
                    last[4] = m.getOrDefault("grade/ratio", Double.NaN);
                }

                @Override
                public void onEvaluation(long envSteps, long eps, EvalResult r) {
                    w.printf(Locale.ROOT, "eval,%d,%d,,,,%.4f,%.4f,%.4f,,,,,%n", eps, envSteps, r.mean(), r.std(), r.meanDiscounted());
                    w.flush();
                    System.out.printf(Locale.ROOT, "[%.0fs] episode %d steps %d eval mean %.2f std %.2f discounted %.3f entropy %.3f%n",
                            (System.nanoTime() - t0) / 1e9, eps, envSteps, r.mean(), r.std(), r.meanDiscounted(), last[0]);
                }
            };
            Trainer.TrainResult r = Trainer.train(new TrainRequest(cfg, env, Map.of(), seed, new Budget(steps, episodes),
                    new EvalSchedule(evalEvery, evalEverySteps, evalEpisodes, true)), l, null);
            System.out.printf(Locale.ROOT, "done: %d steps %d episodes %d updates in %.1f s%n", r.envSteps(), r.episodes(),
                    r.updates(), (System.nanoTime() - t0) / 1e9);
        }
    }

    private static SacConfig sacOverride(SacConfig c, String s) {
        String[] kv = s.split("=", 2);
        return switch (kv[0]) {
            case "hidden" -> c.withHidden(java.util.Arrays.stream(kv[1].split(",")).map(Integer::valueOf).toList());
            case "batch" -> c.withBatchSize(Integer.parseInt(kv[1]));
            case "lr" -> c.withLearningRates(Double.parseDouble(kv[1]), Double.parseDouble(kv[1]), Double.parseDouble(kv[1]));
            case "tau" -> c.withTau(Double.parseDouble(kv[1]));
            case "starts" -> c.withSchedule(Integer.parseInt(kv[1]), c.trainFreq(), c.gradientSteps());
            default -> throw new IllegalArgumentException("unknown SAC override " + s + "; use hidden=, batch=, lr=, starts=");
        };
    }
}
