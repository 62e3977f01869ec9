package dev.gymrpc.envs.classic;

import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvContractTest;
import dev.gymrpc.envs.EnvRegistry;
import java.util.Map;

class CartPoleContractTest extends EnvContractTest {
    @Override
    protected Env<?> makeEnv(Map<String, Object> options) {
        return EnvRegistry.standard().make("CartPole-v1", options);
    }
}
