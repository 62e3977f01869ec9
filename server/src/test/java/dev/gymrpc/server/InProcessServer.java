package dev.gymrpc.server;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A {@link GymRpcServer} on an in-process transport with a channel to it, for tests. */
final class InProcessServer implements AutoCloseable {

    final GymRpcServer server;
    final ManagedChannel channel;

    InProcessServer(ServerConfig config) {
        String name = InProcessServerBuilder.generateName();
        try {
            server = new GymRpcServer(InProcessServerBuilder.forName(name).directExecutor(), config,
                    TestEnvs.registry()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    InProcessServer() {
        this(ServerConfig.defaults());
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
        server.stop(Duration.ofSeconds(1));
    }
}
