package dev.gymrpc.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Optional shared-secret authentication: every call must carry the metadata
 * {@code authorization: Bearer <token>}, else it fails with UNAUTHENTICATED before reaching a
 * service. The health service stays open so probes and load balancers need no secret. Tokens are
 * compared in constant time. Use it together with TLS on untrusted networks: in plaintext the
 * token travels in the clear.
 */
final class AuthInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final byte[] expected;

    AuthInterceptor(String token) {
        if (token.isBlank()) {
            throw new IllegalArgumentException("the auth token must not be blank");
        }
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        if (call.getMethodDescriptor().getServiceName().equals(HealthGrpc.SERVICE_NAME)) {
            return next.startCall(call, headers);
        }
        String given = headers.get(AUTHORIZATION);
        if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.US_ASCII))) {
            call.close(Status.UNAUTHENTICATED.withDescription((given == null ? "no" : "a wrong")
                    + " bearer token: send the metadata 'authorization: Bearer <token>' with the token this server "
                    + "was started with (--auth-token-file or GYMRPC_AUTH_TOKEN)"), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return next.startCall(call, headers);
    }
}
