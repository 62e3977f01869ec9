package dev.gymrpc.server.agent;

import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.proto.v1.TrainingSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test-only {@link AgentBackend} with scripted, deterministic "training", for exercising the job,
 * store and watch machinery without DL4J: an episode every 10 steps with return {@code -10 + step/1000},
 * one update per step, checkpoints as text ({@code step episodes}) at the spec's interval and when asked
 * to stop, a NaN loss at step 50 for seed 666 (divergence), an exception for seed 13, and a step delay so
 * tests can catch jobs while they run. Resolution uses the real {@link ConfigMapping}.
 */
public final class FakeBackend implements AgentBackend {

    static final Box OBS = Box.of(new float[] {0, 0}, new float[] {1, 1});
    static final Discrete ACT = new Discrete(4);

    /** Milliseconds slept per environment step. */
    volatile long stepDelayMs;
    /** Number of train() calls that resumed from a checkpoint. */
    final AtomicInteger resumes = new AtomicInteger();
    /** Step each train() call started from (last call). */
    volatile long lastStartStep = -1;

    FakeBackend(long stepDelayMs) {
        this.stepDelayMs = stepDelayMs;
    }

    /** A fake backend whose steps take 1 ms (for tests outside this package, e.g. the fuzz test). */
    public static FakeBackend slow() {
        return new FakeBackend(1);
    }

    @Override
    public TrainingSpec resolve(TrainingSpec spec) {
        return ConfigMapping.resolve(spec, EnvRegistry.standard());
    }

    @Override
    public TrainingOutcome train(TrainingSpec spec, TrainingRun run) throws Exception {
        long step = 0;
        long episodes = 0;
        if (run.resumeFrom().isPresent()) {
            String[] s = Files.readString(run.resumeFrom().get().file()).trim().split(" ");
            step = Long.parseLong(s[0]);
            episodes = Long.parseLong(s[1]);
            resumes.incrementAndGet();
        }
        lastStartStep = step;
        if (spec.getSeed() == 13) {
            throw new IllegalStateException("scripted failure for seed 13");
        }
        long every = run.checkpointEverySteps();
        while (spec.hasTotalSteps() ? step < spec.getTotalSteps() : episodes < spec.getTotalEpisodes()) {
            if (run.stopRequested()) {
                long st = step;
                long ep = episodes;
                run.saveCheckpoint(step, episodes, out -> out.write((st + " " + ep).getBytes(StandardCharsets.UTF_8)));
                return new TrainingOutcome(step, episodes, true, null, null, OBS, ACT);
            }
            step++;
            double loss = spec.getSeed() == 666 && step >= 50 ? Double.NaN : 1.0 / step;
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("losses/qf_loss", loss);
            m.put("grad/critic_norm", spec.getSeed() == 667 && step >= 30 ? 1e9 : 1.0);
            m.put("grad/critic_max_norm", 1.0);
            run.onUpdate(step, step, m);
            if (step % 10 == 0) {
                double ret = -10 + step / 1000.0;
                run.onEpisode(step, episodes, ret, 10, ret * 0.9, true);
                episodes++;
            }
            if (every > 0 && step % every == 0) {
                long st = step;
                long ep = episodes;
                run.saveCheckpoint(step, episodes, out -> out.write((st + " " + ep).getBytes(StandardCharsets.UTF_8)));
            }
            if (stepDelayMs > 0) {
                Thread.sleep(stepDelayMs);
            }
        }
        double r = -10 + step / 1000.0;
        var summary = PolicyEvaluator.summary(new double[] {r, r + 1}, new long[] {10, 9}, new double[] {r, r}, 1.0);
        long st = step;
        return new TrainingOutcome(step, episodes, false,
                spec.getEvaluation().getFinalEpisodes() > 0 ? summary : null,
                out -> out.write(("fake-policy seed " + spec.getSeed() + " steps " + st).getBytes(StandardCharsets.UTF_8)),
                OBS, ACT);
    }

    @Override
    public Policy loadPolicy(Path modelFile) throws IOException {
        if (!Files.readString(modelFile).startsWith("fake-policy")) {
            throw new IOException("not a fake model");
        }
        return new Policy() {
            @Override
            public Box observationSpace() {
                return OBS;
            }

            @Override
            public Discrete actionSpace() {
                return ACT;
            }

            @Override
            public float[][] probabilities(float[][] obs) {
                float[][] out = new float[obs.length][];
                for (int i = 0; i < obs.length; i++) {
                    // Prefers "right" (3) when x < 0.5, else "up" (0): a fixed, checkable rule.
                    out[i] = obs[i][0] < 0.5f ? new float[] {0.1f, 0.1f, 0.1f, 0.7f} : new float[] {0.7f, 0.1f, 0.1f, 0.1f};
                }
                return out;
            }
        };
    }

    @Override
    public Map<String, String> versions() {
        return Map.of("fake", "1");
    }
}
