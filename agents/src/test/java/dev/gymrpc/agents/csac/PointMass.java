package dev.gymrpc.agents.csac;

import dev.gymrpc.envs.AbstractEnv;
import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.EnvSpec;
import dev.gymrpc.envs.Options;
import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.RgbImage;
import dev.gymrpc.envs.Step;
import java.util.List;
import java.util.Map;

/**
 * A test-only continuous task: move a point in the plane to a target.
 *
 * <h2>Action Space</h2> {@code Box(-1, 1, (2,))}: a velocity; the point moves by {@code 0.1 * a}.
 *
 * <h2>Observation Space</h2> {@code [x, y, tx, ty]} in {@code Box(-1.5, 1.5, (4,))}.
 *
 * <h2>Rewards</h2> minus the distance to the target after the move.
 *
 * <h2>Starting State</h2> point and target uniform in {@code [-1, 1]^2}.
 *
 * <h2>Episode End</h2> never terminates; truncated at 50 steps (registered time limit).
 *
 * <p>Uniformly random actions return about -50 per episode (the point drifts around its start); an
 * agent that heads straight for the target returns about -6.
 */
final class PointMass extends AbstractEnv<float[]> {

    static final EnvSpec SPEC = new EnvSpec("PointMass-v0", PointMass::new, 50, Double.NaN, List.of(),
            "move a point to a target in the plane (test env)");

    private static final Box OBS = Box.uniform(-1.5f, 1.5f, new int[] {4}, dev.gymrpc.envs.DType.FLOAT32);
    private static final Box ACT = Box.uniform(-1f, 1f, new int[] {2}, dev.gymrpc.envs.DType.FLOAT32);

    private double x;
    private double y;
    private double tx;
    private double ty;

    PointMass(Options options) {
        super(SPEC, OBS, ACT);
    }

    @Override
    protected Reset doReset(Map<String, ?> options) {
        rejectResetOptions(options);
        x = 2 * rng().nextDouble() - 1;
        y = 2 * rng().nextDouble() - 1;
        tx = 2 * rng().nextDouble() - 1;
        ty = 2 * rng().nextDouble() - 1;
        return new Reset(obs(), Map.of());
    }

    @Override
    protected Step doStep(float[] a) {
        x = Math.max(-1.5, Math.min(1.5, x + 0.1 * a[0]));
        y = Math.max(-1.5, Math.min(1.5, y + 0.1 * a[1]));
        double dist = Math.hypot(x - tx, y - ty);
        return new Step(obs(), -dist, false, false, Map.of());
    }

    private float[] obs() {
        return new float[] {(float) x, (float) y, (float) tx, (float) ty};
    }

    @Override
    protected RgbImage doRender() {
        return new RgbImage(1, 1, new byte[3]);
    }
}
