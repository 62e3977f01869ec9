package dev.gymrpc.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.client.Channels;
import dev.gymrpc.client.RemoteEnv;
import dev.gymrpc.proto.v1.EnvServiceGrpc;
import dev.gymrpc.proto.v1.ListEnvsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The optional bearer token: required on every service but health, checked before any service code runs. */
class AuthTest {

    @Test
    void callsWithoutTheRightTokenAreUnauthenticatedAndHealthStaysOpen() throws Exception {
        try (InProcessServer f = new InProcessServer(ServerConfig.defaults().withAuthToken("s3cret"))) {
            StatusRuntimeException none = assertThrows(StatusRuntimeException.class, () ->
                    EnvServiceGrpc.newBlockingStub(f.channel).listEnvs(ListEnvsRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAUTHENTICATED, none.getStatus().getCode());
            assertTrue(none.getStatus().getDescription().contains("authorization: Bearer"));
            StatusRuntimeException wrong = assertThrows(StatusRuntimeException.class, () ->
                    RemoteEnv.make(Channels.withBearerToken(f.channel, "guess"), "CartPole-v1", Map.of()));
            assertEquals(Status.Code.UNAUTHENTICATED, wrong.getStatus().getCode());
            assertEquals(0, f.server.sessions().size());

            try (RemoteEnv<?> env = RemoteEnv.make(Channels.withBearerToken(f.channel, "s3cret"), "CartPole-v1", Map.of())) {
                env.reset(0L, Map.of());
                env.stepObject(1);
            }
            assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(f.channel)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus());
        }
    }

    @Test
    void theTokenNeverAppearsInTheConfigText() {
        assertTrue(!ServerConfig.defaults().withAuthToken("s3cret").toString().contains("s3cret"));
    }
}
