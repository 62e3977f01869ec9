package dev.gymrpc.agents.aug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.agents.Augmentations;
import dev.gymrpc.agents.Budget;
import dev.gymrpc.agents.RunContext;
import dev.gymrpc.agents.TrainRequest;
import dev.gymrpc.agents.TrainingListener;
import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.ppo.PpoRunner;
import dev.gymrpc.agents.sac.SacConfig;
import dev.gymrpc.agents.sac.SacRunner;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The augmentations act as defined inside real training runs (captured at the optimizer's input). */
class AugmentationsInRunTest {

    @Test
    void grokfastHandsTheOptimizerGradientPlusLambdaTimesEma() {
        SacConfig cfg = SacConfig.fourRooms().withHidden(List.of(32)).withBatchSize(32).withSchedule(200, 1, 1)
                .withAugmentations(Augmentations.NONE.withGrokfast(0.9, 2.0));
        List<float[]> raw = new ArrayList<>();
        List<float[]> out = new ArrayList<>();
        List<Map<String, Double>> metrics = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onUpdate(long envSteps, long update, Map<String, Double> m) {
                metrics.add(m);
            }
        };
        RunContext ctx = new RunContext(new TrainRequest(cfg, "FourRooms-v0", 3, Budget.steps(260)), l, null);
        {
            SacRunner runner = new SacRunner(cfg, ctx);
            runner.agent().criticPipeline().setObserver((g, o) -> {
                raw.add(g);
                out.add(o);
            });
            runner.run();
        }
        assertEquals(60, raw.size());
        float[] mu = raw.get(0).clone(); // the EMA starts at the first gradient
        for (int t = 0; t < raw.size(); t++) {
            float[] g = raw.get(t);
            if (t > 0) {
                for (int i = 0; i < mu.length; i++) {
                    mu[i] = 0.9f * mu[i] + 0.1f * g[i];
                }
            }
            for (int i = 0; i < g.length; i++) {
                assertEquals(g[i] + 2.0f * mu[i], out.get(t)[i], 1e-5f * (1 + Math.abs(out.get(t)[i])), "update " + t + " index " + i);
            }
        }
        // The filtered norm differs from the raw norm and both are reported.
        Map<String, Double> last = metrics.get(metrics.size() - 1);
        assertTrue(last.get("grad/critic_norm_filtered") != last.get("grad/critic_norm").doubleValue());
        assertEquals(GradientPipeline.l2(out.get(out.size() - 1)), last.get("grad/critic_norm_filtered"), 1e-6);
    }

    @Test
    void sacGradeScalesTheActorEntropyBonusByTheLaggedRatio() {
        SacConfig cfg = SacConfig.fourRooms().withHidden(List.of(32)).withBatchSize(32).withSchedule(200, 1, 1)
                .withAugmentations(Augmentations.NONE.withGrade(true));
        List<float[]> actorGrads = new ArrayList<>();
        List<Map<String, Double>> metrics = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onUpdate(long envSteps, long update, Map<String, Double> m) {
                metrics.add(m);
            }
        };
        RunContext ctx = new RunContext(new TrainRequest(cfg, "FourRooms-v0", 3, Budget.steps(300)), l, null);
        int[] offsets;
        {
            SacRunner runner = new SacRunner(cfg, ctx);
            offsets = runner.agent().actor().tensorOffsets();
            runner.agent().actorPipeline().setObserver((g, o) -> actorGrads.add(g));
            runner.run();
        }
        Grade ref = new Grade(cfg.augmentations().gradeBeta());
        double prevAlpha = cfg.initialAlpha();
        for (int u = 0; u < metrics.size(); u++) {
            Map<String, Double> m = metrics.get(u);
            assertEquals(ref.ratio(), m.get("grade/ratio"), 1e-12, "update " + u);
            // kappa = the alpha used in this update (the value before its temperature step).
            assertEquals(prevAlpha * ref.ratio(), m.get("grade/bonus_coef"), 1e-9, "update " + u);
            ref.observe(actorGrads.get(u), offsets);
            prevAlpha = m.get("losses/alpha");
        }
        assertEquals(0.0, metrics.get(0).get("grade/ratio"));
        // mu / (mu_max + 1e-8) with mu ~ 1e-3: 1 up to the 1e-8 in the denominator.
        assertEquals(1.0, metrics.get(1).get("grade/ratio"), 1e-4);
    }

    @Test
    void gradeRatioStartsAtZeroIsOneAtTheRunningMaxAndTracksActorGradients() {
        PpoConfig cfg = PpoConfig.cartPole().withRollout(4, 32, 64, 4)
                .withAugmentations(Augmentations.NONE.withGrade(0.02, 0.9));
        List<float[]> actorGrads = new ArrayList<>();
        List<Map<String, Double>> metrics = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onUpdate(long envSteps, long update, Map<String, Double> m) {
                metrics.add(m);
            }
        };
        RunContext ctx = new RunContext(new TrainRequest(cfg, "CartPole-v1", 5, Budget.steps(128 * 30)), l, null);
        PpoRunner runner = new PpoRunner(cfg, ctx);
        int[] offsets = runner.agent().actor().tensorOffsets();
        runner.agent().actorPipeline().setObserver((g, o) -> actorGrads.add(g));
        runner.run();

        // Recompute the ratio sequence from the captured actor gradients: r used by step k is the
        // ratio after step k-1, 0 for the first step.
        Grade ref = new Grade(0.9);
        int stepsPerUpdate = 4 * 2; // 4 epochs x (128 samples / 64)
        assertEquals(metrics.size() * stepsPerUpdate, actorGrads.size());
        double maxSeen = 0;
        List<Double> used = new ArrayList<>();
        for (float[] g : actorGrads) {
            used.add(ref.ratio());
            ref.observe(g, offsets);
            maxSeen = Math.max(maxSeen, ref.ratio());
        }
        assertEquals(0.0, used.get(0), "no ratio before the first actor gradient");
        assertEquals(1.0, used.get(1), 1e-6, "after one observation mu is its own max");
        assertEquals(1.0, maxSeen, 1e-6);
        for (int u = 0; u < metrics.size(); u++) {
            double mean = 0;
            for (int k = 0; k < stepsPerUpdate; k++) {
                mean += used.get(u * stepsPerUpdate + k);
            }
            mean /= stepsPerUpdate;
            assertEquals(mean, metrics.get(u).get("grade/ratio"), 1e-9, "update " + u);
            assertEquals(0.02 * mean, metrics.get(u).get("losses/ent_coef"), 1e-9, "entropy coefficient kappa * r");
        }
        // Whenever mu falls below its running max the ratio is below one, proportionally.
        assertTrue(ref.ratio() <= 1.0);
        assertEquals(ref.mu() / (ref.muMax() + 1e-8), ref.ratio(), 1e-12);
    }
}
