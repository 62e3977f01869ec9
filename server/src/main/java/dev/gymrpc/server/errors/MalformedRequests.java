package dev.gymrpc.server.errors;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers requests that cannot be decoded with INVALID_ARGUMENT, never UNKNOWN, and without disturbing
 * any other call.
 *
 * <p>Why: grpc-java decodes a request with the method's marshaller inside {@code ServerCallImpl}; when
 * that throws (any byte string that is not valid protobuf), {@code ServerImpl} closes the call with
 * UNKNOWN "Application error processing RPC" and logs the stack trace, whatever the exception is (a
 * StatusRuntimeException from the marshaller is not honoured either). {@link #guard} therefore rebuilds a
 * service so that each method's request marshaller never throws: it returns a {@link Decoded} holding the
 * message or the decoding failure, and a thin handler in front of the service's own one passes messages
 * on and turns a failure into a status through {@link ErrorTranslator#undecodable} (one rate-limited log
 * line). The service code is unchanged and still sees its own request type and method descriptor.
 *
 * <p>On a stream (Session, reflection) an undecodable message ends that stream only: the message has no
 * request id to answer, and the client's stream is out of step with the protocol. The service is told
 * the stream was cancelled, so it releases what the stream held (the Session stream closes its envs).
 */
public final class MalformedRequests {

    private MalformedRequests() {
    }

    /**
     * {@code service} with every method's request decoding guarded. (Oversized requests are the
     * transport's business: it refuses them with RESOURCE_EXHAUSTED before any decoding.)
     */
    public static ServerServiceDefinition guard(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            ServerMethodDefinition<?, ?> g = guardMethod(m);
            methods.add(g);
            descriptor.addMethod(g.getMethodDescriptor());
        }
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
        for (ServerMethodDefinition<?, ?> m : methods) {
            b.addMethod(m);
        }
        return b.build();
    }

    private static <Q, R> ServerMethodDefinition<Decoded<Q>, R> guardMethod(ServerMethodDefinition<Q, R> def) {
        MethodDescriptor<Q, R> method = def.getMethodDescriptor();
        MethodDescriptor<Decoded<Q>, R> guarded = method.toBuilder(
                new DecodingMarshaller<>(method.getRequestMarshaller()), method.getResponseMarshaller()).build();
        return ServerMethodDefinition.create(guarded, new Handler<>(method, def.getServerCallHandler()));
    }

    /** A request as decoded: the message, or why it could not be decoded. */
    record Decoded<Q>(Q message, RuntimeException failure) {
    }

    /** Decodes with the original marshaller, catching its failure instead of throwing it into grpc. */
    private static final class DecodingMarshaller<Q> implements MethodDescriptor.Marshaller<Decoded<Q>> {
        private final MethodDescriptor.Marshaller<Q> inner;

        DecodingMarshaller(MethodDescriptor.Marshaller<Q> inner) {
            this.inner = inner;
        }

        @Override
        public InputStream stream(Decoded<Q> value) {
            return inner.stream(value.message());
        }

        @Override
        public Decoded<Q> parse(InputStream stream) {
            try {
                return new Decoded<>(inner.parse(stream), null);
            } catch (RuntimeException e) {
                return new Decoded<>(null, e);
            }
        }
    }

    private static final class Handler<Q, R> implements ServerCallHandler<Decoded<Q>, R> {
        private final MethodDescriptor<Q, R> method;
        private final ServerCallHandler<Q, R> next;

        Handler(MethodDescriptor<Q, R> method, ServerCallHandler<Q, R> next) {
            this.method = method;
            this.next = next;
        }

        @Override
        public ServerCall.Listener<Decoded<Q>> startCall(ServerCall<Decoded<Q>, R> call, Metadata headers) {
            UnwrappedCall<Q, R> inner = new UnwrappedCall<>(call, method);
            ServerCall.Listener<Q> listener = next.startCall(inner, headers);
            return new Listener<>(listener, inner);
        }
    }

    /** Passes decoded messages to the service's listener; ends the call on the first undecodable one. */
    private static final class Listener<Q, R> extends ServerCall.Listener<Decoded<Q>> {
        private final ServerCall.Listener<Q> delegate;
        private final UnwrappedCall<Q, R> call;
        /** Set (on the call's serialised callback executor) once the call was rejected: nothing more is passed on. */
        private boolean rejected;

        Listener(ServerCall.Listener<Q> delegate, UnwrappedCall<Q, R> call) {
            this.delegate = delegate;
            this.call = call;
        }

        @Override
        public void onMessage(Decoded<Q> decoded) {
            if (rejected) {
                return;
            }
            if (decoded.failure() == null) {
                delegate.onMessage(decoded.message());
                return;
            }
            rejected = true;
            MethodDescriptor<Q, R> m = call.getMethodDescriptor();
            String type = requestTypeName(m);
            ErrorTranslator.Failure f = ErrorTranslator.undecodable(m.getBareMethodName() == null
                    ? m.getFullMethodName() : m.getBareMethodName(), type, decoded.failure());
            io.grpc.StatusRuntimeException sre = f.toStatusRuntimeException();
            call.rejectWith(sre.getStatus(), sre.getTrailers() == null ? new Metadata() : sre.getTrailers());
            // The service may hold resources for this call (a Session stream's envs): let it release them.
            delegate.onCancel();
        }

        @Override
        public void onHalfClose() {
            if (!rejected) {
                delegate.onHalfClose();
            }
        }

        @Override
        public void onCancel() {
            if (!rejected) {
                delegate.onCancel();
            }
        }

        @Override
        public void onComplete() {
            if (!rejected) {
                delegate.onComplete();
            }
        }

        @Override
        public void onReady() {
            if (!rejected) {
                delegate.onReady();
            }
        }
    }

    /** The request message's proto name, e.g. {@code gymrpc.v1.StepRequest}. */
    private static String requestTypeName(MethodDescriptor<?, ?> m) {
        if (m.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> p
                && p.getMessagePrototype() instanceof com.google.protobuf.Message msg) {
            return msg.getDescriptorForType().getFullName();
        }
        return m.getFullMethodName() + " request";
    }

    /**
     * The call as the service sees it: its own request type and method descriptor. After the guard
     * rejected the call, what the service still sends or closes is dropped (the call is already closed).
     */
    private static final class UnwrappedCall<Q, R> extends ServerCall<Q, R> {
        private final ServerCall<Decoded<Q>, R> call;
        private final MethodDescriptor<Q, R> method;
        /** Guarded by this, as are the sends and closes that check it. */
        private boolean closed;

        UnwrappedCall(ServerCall<Decoded<Q>, R> call, MethodDescriptor<Q, R> method) {
            this.call = call;
            this.method = method;
        }

        synchronized void rejectWith(Status status, Metadata trailers) {
            if (!closed) {
                closed = true;
                call.close(status, trailers);
            }
        }

        @Override
        public synchronized void request(int numMessages) {
            if (!closed) {
                call.request(numMessages);
            }
        }

        @Override
        public synchronized void sendHeaders(Metadata headers) {
            if (!closed) {
                call.sendHeaders(headers);
            }
        }

        @Override
        public synchronized void sendMessage(R message) {
            if (!closed) {
                call.sendMessage(message);
            }
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            // After the transport cancelled the call (e.g. it refused an oversized message with
            // RESOURCE_EXHAUSTED), a service that echoes the cancellation (grpc's reflection service
            // does) must not race its own CANCELLED status onto the wire in place of the transport's.
            if (!closed && !call.isCancelled()) {
                closed = true;
                call.close(status, trailers);
            }
        }

        @Override
        public synchronized boolean isReady() {
            return !closed && call.isReady();
        }

        @Override
        public boolean isCancelled() {
            return call.isCancelled();
        }

        @Override
        public void setMessageCompression(boolean enabled) {
            call.setMessageCompression(enabled);
        }

        @Override
        public void setCompression(String compressor) {
            call.setCompression(compressor);
        }

        @Override
        public void setOnReadyThreshold(int numBytes) {
            call.setOnReadyThreshold(numBytes);
        }

        @Override
        public SecurityLevel getSecurityLevel() {
            return call.getSecurityLevel();
        }

        @Override
        public Attributes getAttributes() {
            return call.getAttributes();
        }

        @Override
        public String getAuthority() {
            return call.getAuthority();
        }

        @Override
        public MethodDescriptor<Q, R> getMethodDescriptor() {
            return method;
        }
    }
}
