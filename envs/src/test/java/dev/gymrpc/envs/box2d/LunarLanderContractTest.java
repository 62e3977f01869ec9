package dev.gymrpc.envs.box2d;

import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvContractTest;
import dev.gymrpc.envs.EnvRegistry;
import java.util.Map;

class LunarLanderContractTest extends EnvContractTest {
    @Override
    protected Env<?> makeEnv(Map<String, Object> options) {
        return EnvRegistry.standard().make("LunarLander-v3", options);
    }
}
