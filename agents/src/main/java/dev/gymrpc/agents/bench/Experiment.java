package dev.gymrpc.agents.bench;

import dev.gymrpc.agents.AlgoConfig;
import dev.gymrpc.agents.Algorithms;
import dev.gymrpc.agents.Budget;
import dev.gymrpc.agents.EpisodeStats;
import dev.gymrpc.agents.EvalResult;
import dev.gymrpc.agents.EvalSchedule;
import dev.gymrpc.agents.TrainRequest;
import dev.gymrpc.agents.Trainer;
import dev.gymrpc.agents.TrainingListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Longer runs of the presets, writing the learning curve as CSV (one row per episode, plus evaluation
 * rows). Not a test: results are reported, not asserted.
 *
 * <pre>
 * java ... dev.gymrpc.agents.bench.Experiment ALGO PRESET ENV_ID STEPS EPISODES SEED OUT.csv [grokfast] [grade]
 *          [hidden=64,64] [batch=64] [lr=1e-3] [starts=2000] [evalEvery=10] [evalEverySteps=25000] [evalEpisodes=10]
 *          [stopAtEval=200] [gradq=EVERY[,M[,L]]]
 * e.g. ... Experiment sac fourrooms FourRooms-v0 0 1000 1 runs/sac_fr_s1.csv grokfast
 *      ... Experiment sac-continuous lunarlander-continuous LunarLanderContinuous-v3 500000 0 1 runs/csac_s1.csv evalEverySteps=25000
 * </pre>
 * Every algorithm of {@link Algorithms} works the same way: its preset by name, {@code grokfast} /
 * {@code grade} switch on its {@code augmentations} fields, and {@code field=value} sets any field of its
 * schema (e.g. {@code Experiment soft-ppo paper LunarLander-v3 0 1500 1 runs/sppo.csv alpha=0.1});
 * {@code hidden=}, {@code batch=}, {@code starts=} and {@code lr=} (every learning rate) are short names.
 * {@code stopAtEval=X} ends the run at the first evaluation whose greedy mean return is at least X (a
 * "solved within N steps" benchmark need not pay for the rest of the budget). {@code gradq=EVERY[,M[,L]]}
 * turns on the gradient-quality diagnostics ({@link dev.gymrpc.agents.diag.GradientQuality}) every EVERY
 * updates and writes every measured update's {@code gradq/*} metrics (and the update's Grokfast-relevant
 * {@code grad/*} norms) to {@code OUT.gradq.csv} (columns update, env_steps, episode, then the metrics).
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
        int evalEvery = 10;
        long evalEverySteps = 0;
        int evalEpisodes = 10;
        double stopAtEval = Double.NaN;
        dev.gymrpc.agents.diag.GradientDiagnostics gradq = dev.gymrpc.agents.diag.GradientDiagnostics.OFF;
        AlgoConfig cfg = Algorithms.get(algo).preset(preset);
        Map<String, Object> set = new java.util.LinkedHashMap<>();
        for (int i = 7; i < a.length; i++) {
            String s = a[i];
            if (s.equals("grokfast") || s.equals("grade")) {
                set.put("augmentations." + s, true);
            } else if (s.startsWith("evalEvery=")) {
                evalEvery = Integer.parseInt(s.substring(10));
            } else if (s.startsWith("evalEverySteps=")) {
                evalEverySteps = Long.parseLong(s.substring(15));
                evalEvery = 0;
            } else if (s.startsWith("evalEpisodes=")) {
                evalEpisodes = Integer.parseInt(s.substring(13));
            } else if (s.startsWith("gradq=")) {
                gradq = dev.gymrpc.agents.diag.GradientDiagnostics.parse(s.substring(6));
            } else if (s.startsWith("stopAtEval=")) {
                stopAtEval = Double.parseDouble(s.substring(11));
            } else if (s.contains("=")) {
                String[] kv = s.split("=", 2);
                switch (kv[0]) { // short names kept from the first experiments' commands
                    case "hidden" -> set.put("hidden_sizes", kv[1]);
                    case "batch" -> set.put("batch_size", kv[1]);
                    case "starts" -> set.put("learning_starts", kv[1]);
                    case "lr" -> {
                        for (String f : List.of("actor_lr", "critic_lr", "alpha_lr")) {
                            if (Algorithms.of(cfg).schema().has(f)) {
                                set.put(f, kv[1]);
                            }
                        }
                    }
                    default -> set.put(kv[0], kv[1]);
                }
            } else {
                throw new IllegalArgumentException("unknown argument " + s
                        + "; use grokfast, grade, evalEvery=, evalEverySteps=, evalEpisodes=, stopAtEval=, gradq= or FIELD=VALUE");
            }
        }
        cfg = (AlgoConfig) Algorithms.of(cfg).schema().apply((Record) cfg, set);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        System.out.println("config " + cfg);
        long t0 = System.nanoTime();
        Path gqOut = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.csv$", "") + ".gradq.csv");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out));
             PrintWriter gw = gradq.on() ? new PrintWriter(Files.newBufferedWriter(gqOut)) : null) {
            List<String> gqCols = new java.util.ArrayList<>();
            long[] episodesSoFar = {0};
            w.println("kind,episode,env_steps,return,length,discounted,eval_mean,eval_std,eval_discounted,entropy,alpha_or_entcoef,actor_grad,critic_grad,grade_ratio");
            double[] last = new double[5];
            TrainingListener l = new TrainingListener() {
                @Override
                public void onEpisode(EpisodeStats e) {
                    episodesSoFar[0] = e.episode();
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
                    if (gw != null && m.keySet().stream().anyMatch(k -> k.startsWith("gradq/"))) {
                        if (gqCols.isEmpty()) {
                            for (String k : m.keySet()) {
                                if (k.startsWith("gradq/") || (k.startsWith("grad/") && k.contains("_norm") && !k.contains("max"))) {
                                    gqCols.add(k);
                                }
                            }
                            gw.println("update,env_steps,episode," + String.join(",", gqCols));
                        }
                        StringBuilder sb = new StringBuilder(update + "," + envSteps + "," + episodesSoFar[0]);
                        for (String k : gqCols) {
                            sb.append(',').append(String.format(Locale.ROOT, "%.6g", m.getOrDefault(k, Double.NaN)));
                        }
                        gw.println(sb);
                        gw.flush();
                    }
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
                    new EvalSchedule(evalEvery, evalEverySteps, evalEpisodes, true, stopAtEval),
                    TrainRequest.DEFAULT_ABORT_GRAD_NORM, gradq), l, null);
            System.out.printf(Locale.ROOT, "done: %d steps %d episodes %d updates in %.1f s%s%n", r.envSteps(), r.episodes(),
                    r.updates(), (System.nanoTime() - t0) / 1e9, r.stoppedEarly() == null ? "" : "; " + r.stoppedEarly());
        }
    }
}
