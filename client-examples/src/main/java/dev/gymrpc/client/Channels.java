package dev.gymrpc.client;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

/** Channel helpers for gymrpc clients. */
public final class Channels {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    private Channels() {
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
