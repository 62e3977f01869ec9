package dev.gymrpc.envs.box2d;

import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.DType;
import dev.gymrpc.envs.EnvSpec;
import dev.gymrpc.envs.Step;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;

/**
 * {@code LunarLanderContinuous-v3} (or {@code LunarLander-v3} with {@code continuous=true}): actions
 * {@code [main, lateral]} in {@code Box(-1, 1, (2,), float32)}.
 *
 * <p>The main engine fires only for {@code main > 0}, with power {@code (main + 1) / 2} (50%..100%);
 * the side engines fire only for {@code |lateral| > 0.5}, the left one for negative and the right one for
 * positive values, with power {@code |lateral|} (50%..100%). Actions outside the box are rejected with
 * {@link dev.gymrpc.envs.InvalidActionException} (the project's strict validation), where Gymnasium would
 * clip them. See {@link LunarLander}.
 */
public final class LunarLanderContinuous extends LunarLander<float[]> {

    private static final Box ACTION_SPACE = Box.uniform(-1f, 1f, new int[] {2}, DType.FLOAT32);

    /** Default options: gravity -10, no wind. */
    public LunarLanderContinuous() {
        this(DEFAULT_GRAVITY, false, DEFAULT_WIND_POWER, DEFAULT_TURBULENCE_POWER);
    }

    /**
     * @throws dev.gymrpc.envs.InvalidOptionException if gravity is not in (-12, 0) or a power is negative
     *                                                or not finite
     */
    public LunarLanderContinuous(double gravity, boolean enableWind, double windPower, double turbulencePower) {
        this(CONTINUOUS_SPEC, gravity, enableWind, windPower, turbulencePower, null);
    }

    LunarLanderContinuous(EnvSpec spec, double gravity, boolean enableWind, double windPower,
                          double turbulencePower, LongFunction<RandomGenerator> generators) {
        super(spec, ACTION_SPACE, gravity, enableWind, windPower, turbulencePower, generators);
    }

    @Override
    public boolean isContinuous() {
        return true;
    }

    @Override
    protected Step doStep(float[] action) {
        // The original clips to [-1, 1] (float64); validation already guarantees that range.
        double main = clip(action[0], -1.0, 1.0);
        double lateral = clip(action[1], -1.0, 1.0);
        double mPower = 0.0;
        if (main > 0.0) {
            mPower = (clip(main, 0.0, 1.0) + 1.0) * 0.5;
        }
        double sPower = 0.0;
        double direction = 0.0;
        if (Math.abs(lateral) > 0.5) {
            direction = Math.signum(lateral);
            sPower = clip(Math.abs(lateral), 0.5, 1.0);
        }
        return advance(mPower, direction, sPower);
    }

    private static double clip(double v, double lo, double hi) {
        return v < lo ? lo : (v > hi ? hi : v);
    }
}
