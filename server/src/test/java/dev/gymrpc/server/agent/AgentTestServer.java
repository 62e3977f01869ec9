package dev.gymrpc.server.agent;

import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.proto.v1.AgentServiceGrpc;
import dev.gymrpc.server.GymRpcServer;
import dev.gymrpc.server.ServerConfig;
import dev.gymrpc.server.jobs.JobsConfig;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@link GymRpcServer} with the agent service on an in-process transport, over a store
 * directory, for tests. {@link #restart()} stops it (jobs become INTERRUPTED) and starts a new one on
 * the same store, as a server restart would.
 */
final class AgentTestServer implements AutoCloseable {

    final Path storeDir;
    final AgentBackend backend;
    final JobsConfig jobsConfig;
    AgentRuntime runtime;
    GymRpcServer server;
    ManagedChannel channel;
    AgentServiceGrpc.AgentServiceBlockingStub blocking;
    AgentServiceGrpc.AgentServiceStub async;

    AgentTestServer(Path storeDir, AgentBackend backend, JobsConfig jobsConfig) throws IOException {
        this.storeDir = storeDir;
        this.backend = backend;
        this.jobsConfig = jobsConfig;
        start();
    }

    private void start() throws IOException {
        runtime = new AgentRuntime(storeDir, jobsConfig, backend, EnvRegistry.standard());
        String name = InProcessServerBuilder.generateName();
        server = new GymRpcServer(InProcessServerBuilder.forName(name), ServerConfig.defaults().withStore(storeDir),
                EnvRegistry.standard(), List.<BindableService>of(runtime.service())).start();
        channel = InProcessChannelBuilder.forName(name).build();
        blocking = AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
        async = AgentServiceGrpc.newStub(channel);
    }

    /**
     * Stops the server as `gymrpc serve` does on Ctrl-C: GymRpcServer.stop closes the agent service
     * (jobs interrupted), then drains calls.
     */
    void stop() throws InterruptedException {
        server.stop(Duration.ofSeconds(2));
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }

    void restart() throws IOException, InterruptedException {
        stop();
        start();
    }

    AgentServiceGrpc.AgentServiceBlockingStub blocking() {
        return blocking.withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
