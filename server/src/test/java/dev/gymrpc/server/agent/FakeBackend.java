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
        return SpecResolver.resolve(spec, EnvRegistry.standard());
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
            double norm = spec.getSeed() == 667 && step >= 30 ? 1e9 : 1.0;
            // What the agents' RunContext does with such values (the project's one divergence check).
            if (!Double.isFinite(loss)) {
                throw new dev.gymrpc.agents.TrainingDivergedException("losses/qf_loss", loss, spec.getAbortGradNorm(), step, step);
            }
            if (spec.getAbortGradNorm() > 0 && norm > spec.getAbortGradNorm()) {
                throw new dev.gymrpc.agents.TrainingDivergedException("grad/critic_norm", norm, spec.getAbortGradNorm(), step, step);
            }
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("losses/qf_loss", loss);
            m.put("grad/critic_norm", norm);
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
        var summary = AgentsModuleBackend.summary(new dev.gymrpc.agents.EvalResult(new double[] {r, r + 1},
                new int[] {10, 9}, new double[] {r, r}, new boolean[] {true, true}), Double.NaN);
        long st = step;
        return new TrainingOutcome(step, episodes, false,
                spec.getEvaluation().getFinalEpisodes() > 0 ? summary : null,
                out -> out.write(("fake-policy seed " + spec.getSeed() + " steps " + st).getBytes(StandardCharsets.UTF_8)),
                OBS, ACT);
    }

    /**
     * A fixed, checkable policy over FourRooms-shaped observations: probabilities 0.7 for "right" (3) when
     * x < 0.5 and for "up" (0) otherwise, 0.1 for the rest. Built as a real actor network: hidden units
     * {@code relu(1000x - 499) - relu(1000x - 500)} make an exact 0/1 step at x = 0.5, and the output
     * layer turns it into logits ln 7 / 0.
     */
    @Override
    public dev.gymrpc.agents.Policy loadPolicy(Path modelFile) throws IOException {
        if (!Files.readString(modelFile).startsWith("fake-policy")) {
            throw new IOException("not a fake model");
        }
        float ln7 = (float) Math.log(7);
        // Layout per layer: W row-major [in, out], then b.
        float[] p = {
            1000f, 1000f, 0f, 0f, -499f, -500f,               // layer 1: x -> (h_a, h_b)
            ln7, 0f, 0f, -ln7, -ln7, 0f, 0f, ln7, 0f, 0f, 0f, ln7 // layer 2: (h_a, h_b) -> 4 logits, bias
        };
        return new dev.gymrpc.agents.Policy(dev.gymrpc.agents.sac.SacConfig.fourRooms(), "FourRooms-v0", Map.of(), 0,
                new int[] {2, 2, 4}, p, dev.gymrpc.agents.ActionHead.categorical(ACT), Map.of("fake", "1"));
    }

    @Override
    public void export(Path modelFile, dev.gymrpc.proto.v1.ModelFormat format, java.io.OutputStream out) throws IOException {
        throw new UnsupportedOperationException("the fake backend exports nothing");
    }

    @Override
    public Map<String, String> versions() {
        return Map.of("fake", "1");
    }
}
