package dev.gymrpc.server;

import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.proto.v1.EnvServiceGrpc;
import dev.gymrpc.server.env.EnvOperations;
import dev.gymrpc.server.env.EnvServiceImpl;
import dev.gymrpc.server.env.SessionManager;
import dev.gymrpc.server.errors.GrpcLogLimiter;
import dev.gymrpc.server.errors.MalformedRequests;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gymrpc gRPC server and its lifecycle, after grpc-java's route guide example: it takes a
 * {@link ServerBuilder} (tests pass an {@code InProcessServerBuilder}), adds the env service, the
 * standard health service and server reflection v1 (so {@code grpcurl list/describe} works without the
 * .proto files), and stops gracefully: health turns NOT_SERVING first so load balancers and watchers
 * stop sending, then in-flight calls drain for a grace period, then the rest are cancelled and every
 * open env is closed.
 *
 * <p>Threading: the hot path (Step, Reset, GetServerInfo and the Session stream) runs directly on the
 * transport thread, skipping the hand-off to a worker thread that otherwise dominates a cheap step's
 * round trip (measured with {@code gymrpc bench rpc} on 2 cores at load average ~10: unary Step p50
 * 123 us on a worker thread -> 77 us on the transport thread). The server's own executor is therefore
 * the direct one, and every other call (making envs, rendering, vector steps, listing, the agent
 * service, health, reflection) is moved to the {@code offload} pool by the call-executor supplier
 * before its first callback runs. Had the builder kept a pool as its executor, gRPC would run each
 * call's method lookup on that pool before switching to the supplier's choice, costing every unary
 * Step a thread hand-off. Inside a Session stream the slow verbs are moved to the same pool, so one
 * heavy request does not stall the other connections served by the same transport thread.
 */
public final class GymRpcServer {

    private static final Logger LOG = LoggerFactory.getLogger(GymRpcServer.class);

    private final ServerConfig config;
    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();
    private final SessionManager sessions;
    private final List<String> serviceNames;
    private final List<BindableService> extra;
    /** Runs Session-stream requests too slow for a transport thread (make, render, list, vector verbs). */
    private final ExecutorService offload = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "gymrpc-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });
    private volatile boolean stopped;

    /**
     * @param builder  transport-specific builder (Netty via {@link #netty}, or in-process in tests)
     * @param config   limits and timeouts; host/port/keepalive are the builder's business
     * @param registry the envs to serve
     * @param extra    further services to serve (e.g. the agent service), also reported healthy; those
     *                 that are {@link AutoCloseable} are closed at the start of {@link #stop} (the agent
     *                 service interrupts its jobs there, so its watch streams end before the drain)
     */
    public GymRpcServer(ServerBuilder<?> builder, ServerConfig config, EnvRegistry registry, List<BindableService> extra) {
        this.config = config;
        this.extra = List.copyOf(extra);
        GrpcLogLimiter.install();
        this.sessions = new SessionManager(config.maxSessions(), config.idleTimeout());
        EnvServiceImpl envService = new EnvServiceImpl(new EnvOperations(registry, sessions, config), offload);
        builder.maxInboundMessageSize(config.maxMessageBytes())
                .directExecutor()
                .callExecutor(new ServerCallExecutorSupplier() {
                    @Override
                    public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
                        // null = the builder's (direct) executor: stay on the transport thread
                        return EnvServiceImpl.runsOnTransportThread(call.getMethodDescriptor()) ? null : offload;
                    }
                })
                .addService(guarded(ServerInterceptors.intercept(envService, EnvServiceImpl.peerInterceptor())))
                .addService(guarded(health.getHealthService().bindService()))
                .addService(guarded(ProtoReflectionServiceV1.newInstance().bindService()));
        for (BindableService s : extra) {
            builder.addService(guarded(s.bindService()));
        }
        if (config.requiresAuth()) {
            builder.intercept(new AuthInterceptor(config.authToken()));
        }
        this.serviceNames = new java.util.ArrayList<>(List.of(EnvServiceGrpc.SERVICE_NAME));
        for (BindableService s : extra) {
            serviceNames.add(s.bindService().getServiceDescriptor().getName());
        }
        this.server = builder.build();
    }

    /** Every service is served guarded: an undecodable request gets INVALID_ARGUMENT, never UNKNOWN. */
    private static ServerServiceDefinition guarded(ServerServiceDefinition service) {
        return MalformedRequests.guard(service);
    }

    public GymRpcServer(ServerBuilder<?> builder, ServerConfig config, EnvRegistry registry) {
        this(builder, config, registry, List.of());
    }

    /**
     * A Netty server bound to {@code config.host():config.port()} with keepalive: the server pings idle
     * connections every {@code keepAliveTime} and drops those that do not answer within
     * {@code keepAliveTimeout}, and lets clients ping (even without calls in flight) at most every
     * {@code permitKeepAliveTime}.
     */
    public static ServerBuilder<?> netty(ServerConfig config) {
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
                .keepAliveTime(config.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(config.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveTime(config.permitKeepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true);
        if (config.usesTls()) {
            b.useTransportSecurity(config.tlsCertChain().toFile(), config.tlsPrivateKey().toFile());
        }
        return b;
    }

    /** Starts serving and marks every service SERVING. */
    public GymRpcServer start() throws IOException {
        server.start();
        health.setStatus("", ServingStatus.SERVING);
        for (String name : serviceNames) {
            health.setStatus(name, ServingStatus.SERVING);
        }
        LOG.info("gymrpc serving {} on {} (max sessions {}, idle timeout {}, max message {} bytes, auth {})",
                serviceNames, server.getListenSockets(), config.maxSessions(), config.idleTimeout(),
                config.maxMessageBytes(), config.requiresAuth() ? "bearer token" : "none");
        LOG.info("transport security: {}", config.usesTls() ? "TLS with " + config.tlsCertChain() : "plaintext");
        return this;
    }

    /** The bound port (useful with port 0), or -1 for non-socket transports. */
    public int port() {
        return server.getPort();
    }

    public SessionManager sessions() {
        return sessions;
    }

    /** The services served (as guarded), e.g. for tests that call every rpc. */
    public List<ServerServiceDefinition> services() {
        return server.getServices();
    }

    /**
     * Stops gracefully: NOT_SERVING, stop accepting calls, let in-flight calls finish for up to
     * {@code grace}, cancel what is left, close every open env. Idempotent.
     */
    public synchronized void stop(Duration grace) {
        if (stopped) {
            return;
        }
        stopped = true;
        LOG.info("stopping: health NOT_SERVING, draining calls for up to {}", grace);
        health.enterTerminalState();
        for (BindableService s : extra) {
            if (s instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warn("closing {} failed: {}", s.getClass().getSimpleName(), e.toString());
                }
            }
        }
        server.shutdown();
        try {
            if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.info("calls still running after {}; cancelling them", grace);
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        offload.shutdownNow();
        sessions.close();
        LOG.info("stopped ({})", sessions.stats());
    }

    /** Stops on JVM shutdown (Ctrl-C, SIGTERM) with a 5 s grace period. */
    public GymRpcServer addShutdownHook() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(Duration.ofSeconds(5)), "gymrpc-shutdown"));
        return this;
    }

    public void blockUntilShutdown() throws InterruptedException {
        server.awaitTermination();
    }
}
