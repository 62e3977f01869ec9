package dev.gymrpc.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gymrpc.client.RemoteEnv;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvContractTest;
import dev.gymrpc.envs.EnvRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The env contract suite (the same one every local env passes) run again through gRPC: each env of the
 * standard registry is made on an in-process server and driven through {@link RemoteEnv}. A remote
 * env must be indistinguishable from a local one: same seeding, same flags, same exceptions.
 */
class RemoteContractTests {

    private static InProcessServer server;

    /** Every env id this class runs the contract on; {@link #everyRegisteredEnvIsCovered} keeps it complete. */
    private static final Set<String> COVERED = Set.of("FourRooms-v0", "CartPole-v1", "LunarLander-v3",
            "LunarLanderContinuous-v3", "BoxTarget-v0");

    @BeforeAll
    static void start() {
        server = new InProcessServer();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        server.close();
    }

    @Test
    void everyRegisteredEnvIsCovered() {
        List<String> ids = EnvRegistry.standard().ids();
        for (String id : ids) {
            assertTrue(COVERED.contains(id), id + " is registered but has no remote contract test below; add one");
        }
    }

    /**
     * Runs the contract on remote {@code id} over unary calls; skipped while the id is not registered
     * (an env being ported).
     */
    abstract static class Remote extends EnvContractTest {
        abstract String id();

        /** Whether the env talks over its own Session stream instead of unary calls. */
        boolean onStream() {
            return false;
        }

        @Override
        protected Env<?> makeEnv(Map<String, Object> options) {
            assumeTrue(TestEnvs.registry().ids().contains(id()), id() + " is not registered yet");
            return onStream() ? RemoteEnv.makeOnStream(server.channel, id(), options)
                    : RemoteEnv.make(server.channel, id(), options);
        }
    }

    /** The same, over a Session stream. */
    abstract static class RemoteOnStream extends Remote {
        @Override
        boolean onStream() {
            return true;
        }
    }

    @Nested
    class FourRooms extends Remote {
        @Override
        String id() {
            return "FourRooms-v0";
        }
    }

    @Nested
    class CartPole extends Remote {
        @Override
        String id() {
            return "CartPole-v1";
        }
    }

    @Nested
    class LunarLander extends Remote {
        @Override
        String id() {
            return "LunarLander-v3";
        }
    }

    @Nested
    class LunarLanderContinuous extends Remote {
        @Override
        String id() {
            return "LunarLanderContinuous-v3";
        }
    }

    /** A Box action space over the wire (test env), covering NaN / shape / range rejection remotely. */
    @Nested
    class BoxTarget extends Remote {
        @Override
        String id() {
            return "BoxTarget-v0";
        }
    }

    @Nested
    class FourRoomsOnStream extends RemoteOnStream {
        @Override
        String id() {
            return "FourRooms-v0";
        }
    }

    @Nested
    class CartPoleOnStream extends RemoteOnStream {
        @Override
        String id() {
            return "CartPole-v1";
        }
    }

    @Nested
    class LunarLanderOnStream extends RemoteOnStream {
        @Override
        String id() {
            return "LunarLander-v3";
        }
    }

    @Nested
    class LunarLanderContinuousOnStream extends RemoteOnStream {
        @Override
        String id() {
            return "LunarLanderContinuous-v3";
        }
    }

    @Nested
    class BoxTargetOnStream extends RemoteOnStream {
        @Override
        String id() {
            return "BoxTarget-v0";
        }
    }
}
