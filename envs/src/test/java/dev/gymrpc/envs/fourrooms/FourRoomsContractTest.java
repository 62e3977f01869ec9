package dev.gymrpc.envs.fourrooms;

import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvContractTest;
import dev.gymrpc.envs.EnvRegistry;
import java.util.Map;

class FourRoomsContractTest extends EnvContractTest {
    @Override
    protected Env<?> makeEnv(Map<String, Object> options) {
        return EnvRegistry.standard().make("FourRooms-v0", options);
    }
}
