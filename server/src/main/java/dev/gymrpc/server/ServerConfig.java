package dev.gymrpc.server;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of a {@link GymRpcServer}. The defaults live here only; the CLI's option defaults refer to
 * these constants.
 *
 * @param host                 address to bind ({@code 0.0.0.0} = all interfaces)
 * @param port                 TCP port ({@code 0} = any free port)
 * @param maxSessions          cap on simultaneously open env handles (single and vector together); the
 *                             next MakeEnv fails with RESOURCE_EXHAUSTED
 * @param idleTimeout          a handle unused this long is closed by the server ({@link Duration#ZERO} =
 *                             never)
 * @param maxMessageBytes      largest inbound message; larger ones are refused by gRPC with
 *                             RESOURCE_EXHAUSTED
 * @param maxVectorEnvs        largest {@code num_envs} of a vector env
 * @param store                directory where the agent service keeps runs and models
 * @param keepAliveTime        the server pings an idle connection this often to detect dead clients
 * @param keepAliveTimeout     a ping unanswered this long closes the connection
 * @param permitKeepAliveTime  clients may ping at most this often (faster pings are a protocol error)
 * @param authToken            when non-empty, every call but health checks must carry
 *                             {@code authorization: Bearer <authToken>} (UNAUTHENTICATED otherwise)
 * @param tlsCertChain         PEM certificate chain; with {@code tlsPrivateKey}, serve TLS instead of
 *                             plaintext ({@code null} = plaintext)
 * @param tlsPrivateKey        PEM (PKCS#8) private key of the certificate
 */
public record ServerConfig(String host, int port, int maxSessions, Duration idleTimeout, int maxMessageBytes,
                           int maxVectorEnvs, Path store, Duration keepAliveTime, Duration keepAliveTimeout,
                           Duration permitKeepAliveTime, String authToken, Path tlsCertChain, Path tlsPrivateKey) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 50051;
    public static final int DEFAULT_MAX_SESSIONS = 256;
    public static final String DEFAULT_IDLE_TIMEOUT = "10m";
    /** gRPC's own default (4 MiB), stated explicitly so it is visible and configurable. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
    public static final int DEFAULT_MAX_VECTOR_ENVS = 1024;
    public static final String DEFAULT_STORE = "./gymrpc-store";

    public ServerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("max sessions must be >= 1, got " + maxSessions);
        }
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idle timeout must be >= 0 (0 = never), got " + idleTimeout);
        }
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("max message bytes must be >= 1024, got " + maxMessageBytes);
        }
        authToken = authToken == null ? "" : authToken.strip();
        if ((tlsCertChain == null) != (tlsPrivateKey == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate chain and its private key "
                    + "(--tls-cert and --tls-key), got only the " + (tlsCertChain == null ? "key" : "certificate"));
        }
        if (maxVectorEnvs < 1) {
            throw new IllegalArgumentException("max vector envs must be >= 1, got " + maxVectorEnvs);
        }
    }

    /** The defaults (port 50051 on all interfaces). */
    public static ServerConfig defaults() {
        return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_SESSIONS, parseDuration(DEFAULT_IDLE_TIMEOUT),
                DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_VECTOR_ENVS, Path.of(DEFAULT_STORE), Duration.ofMinutes(2),
                Duration.ofSeconds(20), Duration.ofSeconds(10), "", null, null);
    }

    public ServerConfig withHost(String h) {
        return new ServerConfig(h, port, maxSessions, idleTimeout, maxMessageBytes, maxVectorEnvs, store,
                keepAliveTime, keepAliveTimeout, permitKeepAliveTime, authToken, tlsCertChain, tlsPrivateKey);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, maxSessions, idleTimeout, maxMessageBytes, maxVectorEnvs, store,
                keepAliveTime, keepAliveTimeout, permitKeepAliveTime, authToken, tlsCertChain, tlsPrivateKey);
    }

    public ServerConfig withMaxSessions(int n) {
        return new ServerConfig(host, port, n, idleTimeout, maxMessageBytes, maxVectorEnvs, store,
                keepAliveTime, keepAliveTimeout, permitKeepAliveTime, authToken, tlsCertChain, tlsPrivateKey);
    }

    public ServerConfig withIdleTimeout(Duration d) {
        return new ServerConfig(host, port, maxSessions, d, maxMessageBytes, maxVectorEnvs, store,
                keepAliveTime, keepAliveTimeout, permitKeepAliveTime, authToken, tlsCertChain, tlsPrivateKey);
    }

    public ServerConfig withMaxMessageBytes(int n) {
        return new ServerConfig(host, port, maxSessions, idleTimeout, n, maxVectorEnvs, store,
                keepAliveTime, keepAliveTimeout, permitKeepAliveTime, authToken, tlsCertChain, tlsPrivateKey);
    }

    public ServerConfig withMaxVectorEnvs(int n) {
        return new ServerConfig(host, port, maxSessions, idleTimeout, maxMessageBytes, n, store,
                keepAliveTime, keepAliveTimeout, permitKeepAliveTime, authToken, tlsCertChain, tlsPrivateKey);
    }

    public ServerConfig withStore(Path p) {
        return new ServerConfig(host, port, maxSessions, idleTimeout, maxMessageBytes, maxVectorEnvs, p,
                keepAliveTime, keepAliveTimeout, permitKeepAliveTime, authToken, tlsCertChain, tlsPrivateKey);
    }

    public ServerConfig withAuthToken(String token) {
        return new ServerConfig(host, port, maxSessions, idleTimeout, maxMessageBytes, maxVectorEnvs, store,
                keepAliveTime, keepAliveTimeout, permitKeepAliveTime, token, tlsCertChain, tlsPrivateKey);
    }

    /** Serve TLS with this PEM certificate chain and private key ({@code null, null} = plaintext). */
    public ServerConfig withTls(Path certChain, Path privateKey) {
        return new ServerConfig(host, port, maxSessions, idleTimeout, maxMessageBytes, maxVectorEnvs, store,
                keepAliveTime, keepAliveTimeout, permitKeepAliveTime, authToken, certChain, privateKey);
    }

    /** Whether the server speaks TLS. */
    public boolean usesTls() {
        return tlsCertChain != null;
    }

    /** Whether calls must carry the bearer token. */
    public boolean requiresAuth() {
        return !authToken.isEmpty();
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "ServerConfig[host=" + host + ", port=" + port + ", maxSessions=" + maxSessions + ", idleTimeout="
                + idleTimeout + ", maxMessageBytes=" + maxMessageBytes + ", maxVectorEnvs=" + maxVectorEnvs + ", store="
                + store + ", auth=" + (requiresAuth() ? "bearer token" : "none") + ", tls=" + (usesTls() ? tlsCertChain : "off")
                + "]";
    }

    /**
     * Parses a duration written as {@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h}, a bare number of
     * seconds, or ISO-8601 ({@code PT10M}).
     */
    public static Duration parseDuration(String text) {
        String s = text.trim().toLowerCase();
        try {
            if (s.startsWith("pt") || s.startsWith("p")) {
                return Duration.parse(text.trim().toUpperCase());
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
            }
            if (s.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1).trim()));
            }
            if (s.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1).trim()));
            }
            if (s.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1).trim()));
            }
            return Duration.ofSeconds(Long.parseLong(s));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read duration '" + text
                    + "'; write e.g. 500ms, 30s, 10m, 2h or PT10M");
        }
    }
}
