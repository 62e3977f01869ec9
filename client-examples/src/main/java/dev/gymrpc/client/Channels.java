package dev.gymrpc.client;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Channel helpers for gymrpc clients. */
public final class Channels {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    private Channels() {
    }

    /** A plaintext channel to {@code target} ({@code host:port}), for a server on a trusted network. */
    public static ManagedChannel plaintext(String target) {
        return Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
    }

    /**
     * A TLS channel to {@code target} trusting the PEM certificates in {@code trustedCerts} (for a
     * self-signed server certificate, the certificate itself), for {@code gymrpc serve --tls-cert}.
     */
    public static ManagedChannel tls(String target, File trustedCerts) {
        try {
            return Grpc.newChannelBuilder(target, TlsChannelCredentials.newBuilder().trustManager(trustedCerts).build())
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read trusted certificates " + trustedCerts, e);
        }
    }

    /**
     * {@code channel} sending {@code authorization: Bearer <token>} on every call, for servers started
     * with an auth token ({@code gymrpc serve --auth-token-file}).
     */
    public static Channel withBearerToken(Channel channel, String token) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
