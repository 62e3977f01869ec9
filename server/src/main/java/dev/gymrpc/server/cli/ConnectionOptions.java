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

    @Option(names = "--auth-token-file", paramLabel = "FILE", description = "With --server: file holding the "
            + "server's bearer token. Default: the environment variable GYMRPC_AUTH_TOKEN, if set.")
    Path authTokenFile;

    AgentConnection open(int workers) throws IOException {
        String token = authTokenFile != null ? java.nio.file.Files.readString(authTokenFile).strip()
                : System.getenv().getOrDefault("GYMRPC_AUTH_TOKEN", "").strip();
        return AgentConnection.open(server, store, workers, token);
    }
}
