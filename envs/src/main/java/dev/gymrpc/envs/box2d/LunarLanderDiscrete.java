package dev.gymrpc.envs.box2d;

import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.EnvSpec;
import dev.gymrpc.envs.Step;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;

/**
 * {@code LunarLander-v3} with {@code Discrete(4)} actions: 0 do nothing, 1 fire the left orientation
 * engine, 2 fire the main engine, 3 fire the right orientation engine. See {@link LunarLander}.
 */
public final class LunarLanderDiscrete extends LunarLander<Integer> {

    private static final Discrete ACTION_SPACE = new Discrete(4);

    /** Default options: gravity -10, no wind. */
    public LunarLanderDiscrete() {
        this(DEFAULT_GRAVITY, false, DEFAULT_WIND_POWER, DEFAULT_TURBULENCE_POWER);
    }

    /**
     * @throws dev.gymrpc.envs.InvalidOptionException if gravity is not in (-12, 0) or a power is negative
     *                                                or not finite
     */
    public LunarLanderDiscrete(double gravity, boolean enableWind, double windPower, double turbulencePower) {
        this(SPEC, gravity, enableWind, windPower, turbulencePower, null);
    }

    LunarLanderDiscrete(EnvSpec spec, double gravity, boolean enableWind, double windPower, double turbulencePower,
                        LongFunction<RandomGenerator> generators) {
        super(spec, ACTION_SPACE, gravity, enableWind, windPower, turbulencePower, generators);
    }

    @Override
    public boolean isContinuous() {
        return false;
    }

    @Override
    protected Step doStep(Integer action) {
        return switch (action) {
            case 0 -> advance(0.0, 0, 0.0);
            case 1 -> advance(0.0, -1, 1.0);
            case 2 -> advance(1.0, 0, 0.0);
            case 3 -> advance(0.0, +1, 1.0);
            default -> throw new IllegalStateException("unvalidated action " + action);
        };
    }
}
