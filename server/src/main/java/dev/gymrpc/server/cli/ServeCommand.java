package dev.gymrpc.server.cli;

import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.server.GymRpcServer;
import dev.gymrpc.server.ServerConfig;
import dev.gymrpc.server.agent.AgentRuntime;
import dev.gymrpc.server.agent.AgentsModuleBackend;
import dev.gymrpc.server.jobs.JobsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gymrpc serve}: runs the server until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the environments and the agent service (training jobs, models) over gRPC, with health and reflection, until Ctrl-C.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--host", defaultValue = ServerConfig.DEFAULT_HOST,
            description = "Address to bind (default: ${DEFAULT-VALUE}; 127.0.0.1 = this machine only).")
    String host;

    @Option(names = "--port", defaultValue = "" + ServerConfig.DEFAULT_PORT,
            description = "TCP port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--max-sessions", defaultValue = "" + ServerConfig.DEFAULT_MAX_SESSIONS,
            description = "Cap on open env handles; more fail with RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE}).")
    int maxSessions;

    @Option(names = "--idle-timeout", defaultValue = ServerConfig.DEFAULT_IDLE_TIMEOUT,
            description = "Close handles unused this long, e.g. 30s, 10m, 2h; 0 = never (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--max-message-bytes", defaultValue = "" + ServerConfig.DEFAULT_MAX_MESSAGE_BYTES,
            description = "Largest request accepted; larger ones fail with RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE}).")
    int maxMessageBytes;

    @Option(names = "--max-vector-envs", defaultValue = "" + ServerConfig.DEFAULT_MAX_VECTOR_ENVS,
            description = "Largest num_envs of a vector env (default: ${DEFAULT-VALUE}).")
    int maxVectorEnvs;

    @Option(names = "--store", defaultValue = ServerConfig.DEFAULT_STORE,
            description = "Directory for the agent service's runs and models (default: ${DEFAULT-VALUE}).")
    Path store;

    @Option(names = "--workers", defaultValue = "" + JobsConfig.DEFAULT_WORKERS,
            description = "Training/benchmark jobs run at once; more wait QUEUED (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--max-queued-jobs", defaultValue = "" + JobsConfig.DEFAULT_MAX_QUEUED,
            description = "Jobs that may wait for a worker; more fail with RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE}).")
    int maxQueuedJobs;

    @Option(names = "--resume", description = "Resume every INTERRUPTED job of the store at startup (from its last "
            + "checkpoint).")
    boolean resume;

    @Option(names = "--auth-token-file", description = "File holding a shared secret; every call except health "
            + "checks must then send 'authorization: Bearer <secret>'. Without it, the environment variable "
            + "GYMRPC_AUTH_TOKEN is used if set; otherwise no authentication.")
    Path authTokenFile;

    @Option(names = "--tls-cert", description = "PEM certificate chain: serve TLS (with --tls-key) instead of plaintext.")
    Path tlsCert;

    @Option(names = "--tls-key", description = "PEM (PKCS#8) private key of --tls-cert.")
    Path tlsKey;

    private String authToken() {
        if (authTokenFile != null) {
            try {
                return java.nio.file.Files.readString(authTokenFile).strip();
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read --auth-token-file " + authTokenFile + ": " + e.getMessage());
            }
        }
        String env = System.getenv("GYMRPC_AUTH_TOKEN");
        return env == null ? "" : env;
    }

    ServerConfig config() {
        return ServerConfig.defaults().withAuthToken(authToken()).withHost(host).withPort(port).withMaxSessions(maxSessions)
                .withIdleTimeout(idleTimeout).withMaxMessageBytes(maxMessageBytes).withMaxVectorEnvs(maxVectorEnvs)
                .withStore(store).withTls(tlsCert, tlsKey);
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config = config();
        AgentRuntime agents = new AgentRuntime(config.store(), JobsConfig.defaults().withWorkers(workers)
                .withMaxQueued(maxQueuedJobs), AgentsModuleBackend.standard(), EnvRegistry.standard());
        GymRpcServer server = new GymRpcServer(GymRpcServer.netty(config), config, EnvRegistry.standard(),
                List.of(agents.service()))
                .start()
                .addShutdownHook();
        if (resume) {
            agents.jobs().resumeAllInterrupted();
        }
        System.out.println("gymrpc listening on " + config.host() + ":" + server.port() + " (Ctrl-C to stop)");
        server.blockUntilShutdown();
        return 0;
    }
}
