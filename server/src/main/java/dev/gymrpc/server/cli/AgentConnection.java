package dev.gymrpc.server.cli;

import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.proto.v1.AgentServiceGrpc;
import dev.gymrpc.server.agent.AgentRuntime;
import dev.gymrpc.server.agent.AgentsModuleBackend;
import dev.gymrpc.server.jobs.JobsConfig;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The CLI's way to the agent service: a remote server ({@code --server host:port}) or, without one, the
 * same service run in this process over the local store ({@code --store}) behind an in-process gRPC
 * transport. Either way the commands speak the same protocol, so local and remote runs behave alike and
 * leave the same records in the store.
 */
final class AgentConnection implements AutoCloseable {

    private final ManagedChannel channel;
    private final AgentRuntime runtime;
    private final Server local;
    private final String where;

    private AgentConnection(ManagedChannel channel, AgentRuntime runtime, Server local, String where) {
        this.channel = channel;
        this.runtime = runtime;
        this.local = local;
        this.where = where;
    }

    /**
     * @param server  {@code host:port} of a running {@code gymrpc serve}, or null to run locally
     * @param store   the local store (ignored with a server)
     * @param workers local jobs run at once
     * @param token   bearer token for a server started with one ("" = none)
     */
    static AgentConnection open(String server, Path store, int workers, String token) throws IOException {
        if (server != null && !server.isBlank()) {
            NettyChannelBuilder b = NettyChannelBuilder.forTarget(server).usePlaintext()
                    .maxInboundMessageSize(16 * 1024 * 1024);
            if (!token.isEmpty()) {
                Metadata auth = new Metadata();
                auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                b.intercept(MetadataUtils.newAttachHeadersInterceptor(auth));
            }
            ManagedChannel ch = b.build();
            return new AgentConnection(ch, null, null, "server " + server);
        }
        AgentRuntime rt = new AgentRuntime(store, JobsConfig.defaults().withWorkers(workers).withMaxQueued(64),
                AgentsModuleBackend.standard(), EnvRegistry.standard());
        String name = InProcessServerBuilder.generateName();
        Server s = InProcessServerBuilder.forName(name).addService(rt.service()).build().start();
        ManagedChannel ch = InProcessChannelBuilder.forName(name).build();
        return new AgentConnection(ch, rt, s, "local store " + rt.store().root());
    }

    AgentServiceGrpc.AgentServiceBlockingStub blocking() {
        return AgentServiceGrpc.newBlockingStub(channel);
    }

    AgentServiceGrpc.AgentServiceStub async() {
        return AgentServiceGrpc.newStub(channel);
    }

    boolean isLocal() {
        return runtime != null;
    }

    /** "server host:port" or "local store /path". */
    String where() {
        return where;
    }

    /** Local runs: stops the jobs (they become INTERRUPTED, resumable) and the in-process server. */
    @Override
    public void close() {
        if (runtime != null) {
            runtime.close();
            local.shutdownNow();
        }
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
