package dev.gymrpc.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gymrpc.client.Channels;
import dev.gymrpc.client.RemoteEnv;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.proto.v1.EnvServiceGrpc;
import dev.gymrpc.proto.v1.ListEnvsRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS on a real socket with a throwaway self-signed certificate (made with openssl; skipped without it). */
class TlsTest {

    private static boolean selfSigned(Path dir) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (java.io.IOException e) {
            return false;
        }
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.exists(dir.resolve("key.pem"));
    }

    @Test
    void tlsServerServesTlsClientsAndRefusesPlaintextOnes(@TempDir Path dir) throws Exception {
        assumeTrue(selfSigned(dir), "openssl is needed to make a test certificate");
        ServerConfig config = ServerConfig.defaults().withHost("127.0.0.1").withPort(0)
                .withTls(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        GymRpcServer server = new GymRpcServer(GymRpcServer.netty(config), config, EnvRegistry.standard()).start();
        ManagedChannel tls = Channels.tls("localhost:" + server.port(), dir.resolve("cert.pem").toFile());
        ManagedChannel plain = Channels.plaintext("localhost:" + server.port());
        try {
            try (RemoteEnv<?> env = RemoteEnv.make(tls, "CartPole-v1", Map.of())) {
                assertEquals(4, env.reset(1L, Map.of()).observation().length);
            }
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> EnvServiceGrpc
                    .newBlockingStub(plain).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listEnvs(ListEnvsRequest.getDefaultInstance()));
            assertTrue(e.getStatus().getCode() == Status.Code.UNAVAILABLE
                    || e.getStatus().getCode() == Status.Code.INTERNAL, e.getStatus().toString());
        } finally {
            tls.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void halfATlsConfigurationIsRejectedWithTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                ServerConfig.defaults().withTls(Path.of("cert.pem"), null));
        assertTrue(e.getMessage().contains("--tls-key"), e.getMessage());
    }
}
