package dev.gymrpc.envs.box2d;

import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvContractTest;
import dev.gymrpc.envs.EnvRegistry;
import java.util.Map;

class LunarLanderContinuousContractTest extends EnvContractTest {
    @Override
    protected Env<?> makeEnv(Map<String, Object> options) {
        return EnvRegistry.standard().make("LunarLanderContinuous-v3", options);
    }
}
