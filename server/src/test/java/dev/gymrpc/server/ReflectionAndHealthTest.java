package dev.gymrpc.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.ByteString;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.proto.v1.EnvServiceGrpc;
import dev.gymrpc.proto.v1.GetServerInfoRequest;
import dev.gymrpc.proto.v1.GetServerInfoResponse;
import dev.gymrpc.proto.v1.ListEnvsRequest;
import dev.gymrpc.proto.v1.EnvInfo;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What generic tooling sees on a freshly started server: reflection v1 (what {@code grpcurl list} and
 * {@code grpcurl describe} use), the standard health service, its NOT_SERVING-first shutdown, and the
 * protocol handshake and env catalogue.
 */
class ReflectionAndHealthTest {

    /** Sends one reflection request and waits for its single response. */
    private static ServerReflectionResponse reflect(ManagedChannel channel, ServerReflectionRequest request)
            throws Exception {
        CompletableFuture<ServerReflectionResponse> result = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
                new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        result.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(request);
        ServerReflectionResponse r = result.get(10, TimeUnit.SECONDS);
        requests.onCompleted();
        return r;
    }

    @Test
    void reflectionListsTheServicesAndDescribesTheEnvService() throws Exception {
        try (InProcessServer f = new InProcessServer()) {
            ServerReflectionResponse listed = reflect(f.channel,
                    ServerReflectionRequest.newBuilder().setListServices("*").build());
            Set<String> services = listed.getListServicesResponse().getServiceList().stream()
                    .map(ServiceResponse::getName).collect(Collectors.toSet());
            assertTrue(services.containsAll(Set.of("gymrpc.v1.EnvService", "grpc.health.v1.Health",
                    "grpc.reflection.v1.ServerReflection")), services.toString());

            ServerReflectionResponse described = reflect(f.channel,
                    ServerReflectionRequest.newBuilder().setFileContainingSymbol("gymrpc.v1.EnvService").build());
            Map<String, FileDescriptorProto> files = new HashMap<>();
            for (ByteString b : described.getFileDescriptorResponse().getFileDescriptorProtoList()) {
                FileDescriptorProto fd = FileDescriptorProto.parseFrom(b);
                files.put(fd.getName(), fd);
            }
            assertTrue(files.containsKey("gymrpc/v1/env.proto"), files.keySet().toString());
            assertTrue(files.containsKey("gymrpc/v1/common.proto"), "dependencies are sent too: " + files.keySet());
            ServiceDescriptorProto svc = files.get("gymrpc/v1/env.proto").getServiceList().stream()
                    .filter(s -> s.getName().equals("EnvService")).findFirst().orElseThrow();
            Map<String, MethodDescriptorProto> methods = svc.getMethodList().stream()
                    .collect(Collectors.toMap(MethodDescriptorProto::getName, m -> m));
            assertTrue(methods.keySet().containsAll(List.of("GetServerInfo", "ListEnvs", "MakeEnv", "Reset", "Step",
                    "Render", "CloseEnv", "MakeVectorEnv", "VectorReset", "VectorStep", "Session")), methods.keySet().toString());
            assertEquals(".gymrpc.v1.StepRequest", methods.get("Step").getInputType());
            assertTrue(methods.get("Session").getClientStreaming() && methods.get("Session").getServerStreaming());

            // describe a message type by symbol, as `grpcurl describe gymrpc.v1.Tensor` would
            ServerReflectionResponse tensor = reflect(f.channel,
                    ServerReflectionRequest.newBuilder().setFileContainingSymbol("gymrpc.v1.Tensor").build());
            FileDescriptorProto common = FileDescriptorProto.parseFrom(
                    tensor.getFileDescriptorResponse().getFileDescriptorProto(0));
            assertEquals("gymrpc/v1/common.proto", common.getName());
        }
    }

    @Test
    void healthIsServingForTheServerAndTheEnvService() throws Exception {
        try (InProcessServer f = new InProcessServer()) {
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(f.channel);
            assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
            assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
                    .setService(EnvServiceGrpc.SERVICE_NAME).build()).getStatus());
        }
    }

    /** Graceful stop: a health watcher hears NOT_SERVING before the server goes away. */
    @Test
    void stopTurnsHealthNotServingBeforeDraining() throws Exception {
        ServerConfig config = ServerConfig.defaults().withHost("127.0.0.1").withPort(0);
        GymRpcServer server = new GymRpcServer(GymRpcServer.netty(config), config, EnvRegistry.standard()).start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
            List<ServingStatus> seen = new CopyOnWriteArrayList<>();
            CountDownLatch serving = new CountDownLatch(1);
            CountDownLatch notServing = new CountDownLatch(1);
            HealthGrpc.newStub(channel).watch(HealthCheckRequest.newBuilder().setService(EnvServiceGrpc.SERVICE_NAME)
                    .build(), new StreamObserver<HealthCheckResponse>() {
                        @Override
                        public void onNext(HealthCheckResponse r) {
                            seen.add(r.getStatus());
                            if (r.getStatus() == ServingStatus.SERVING) {
                                serving.countDown();
                            } else if (r.getStatus() == ServingStatus.NOT_SERVING) {
                                notServing.countDown();
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            assertTrue(serving.await(10, TimeUnit.SECONDS), "watch reports SERVING first");
            Thread stopper = new Thread(() -> server.stop(Duration.ofSeconds(2)));
            stopper.start();
            assertTrue(notServing.await(10, TimeUnit.SECONDS), "watchers hear NOT_SERVING on stop; saw " + seen);
            stopper.join(10_000);
            assertEquals(List.of(ServingStatus.SERVING, ServingStatus.NOT_SERVING), new ArrayList<>(seen));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void handshakeAndCatalogue() throws Exception {
        try (InProcessServer f = new InProcessServer()) {
            EnvServiceGrpc.EnvServiceBlockingStub stub = EnvServiceGrpc.newBlockingStub(f.channel);
            GetServerInfoResponse info = stub.getServerInfo(GetServerInfoRequest.getDefaultInstance());
            assertEquals(1, info.getProtocolMajor());
            assertEquals("1.1", info.getProtocolVersion());
            assertTrue(info.getCapabilitiesList().containsAll(List.of("vector", "session-stream", "packed-batch")));
            assertEquals(ServerConfig.DEFAULT_MAX_MESSAGE_BYTES, info.getMaxMessageBytes());

            Map<String, EnvInfo> envs = stub.listEnvs(ListEnvsRequest.getDefaultInstance()).getEnvsList().stream()
                    .collect(Collectors.toMap(EnvInfo::getId, e -> e));
            EnvInfo cartPole = envs.get("CartPole-v1");
            assertEquals(500, cartPole.getMaxEpisodeSteps());
            assertEquals(475.0, cartPole.getRewardThreshold());
            assertEquals(2, cartPole.getActionSpace().getDiscrete().getN());
            assertEquals(4, cartPole.getObservationSpace().getBox().getLowCount());
            assertEquals(Float.MAX_VALUE, cartPole.getObservationSpace().getBox().getHigh(1), "float32 max, as Gymnasium");
            assertEquals(Float.POSITIVE_INFINITY, envs.get("Probe-v0").getObservationSpace().getBox().getHigh(0),
                    "infinite bounds travel");
            assertTrue(cartPole.getRenderModesList().contains("rgb_array"));
            assertTrue(cartPole.getRenderFps() > 0);
            EnvInfo fourRooms = envs.get("FourRooms-v0");
            assertTrue(!fourRooms.hasRewardThreshold(), "no threshold is absent, not NaN");
            assertTrue(fourRooms.getOptionsList().stream().anyMatch(o -> o.getName().equals("slip_prob")
                    && o.getDefaultValue().getFloatValue() == 0.2 && !o.getDescription().isEmpty()));
            assertTrue(fourRooms.getOptionsList().stream().anyMatch(o -> o.getName().equals("max_episode_steps")));
        }
    }
}
