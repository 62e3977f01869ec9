package dev.gymrpc.server.cli;

import dev.gymrpc.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the agent commands run: {@code --server} or the local {@code --store}. A picocli mixin. */
final class ConnectionOptions {

    @Option(names = "--server", paramLabel = "HOST:PORT",
            description = "Run on this gymrpc server (e.g. localhost:50051). Default: run in this process on the "
                    + "local --store.")
    String server;

    @Option(names = "--store", defaultValue = ServerConfig.DEFAULT_STORE, paramLabel = "DIR",
            description = "Local store for jobs, metrics and models when no --server is given (default: ${DEFAULT-VALUE}).")
    Path store;

    AgentConnection open(int workers) throws IOException {
        return AgentConnection.open(server, store, workers);
    }
}
