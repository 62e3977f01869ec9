package dev.gymrpc.server.env;

import dev.gymrpc.proto.v1.CloseEnvRequest;
import dev.gymrpc.proto.v1.CloseEnvResponse;
import dev.gymrpc.proto.v1.EnvServiceGrpc;
import dev.gymrpc.proto.v1.GetServerInfoRequest;
import dev.gymrpc.proto.v1.GetServerInfoResponse;
import dev.gymrpc.proto.v1.ListEnvsRequest;
import dev.gymrpc.proto.v1.ListEnvsResponse;
import dev.gymrpc.proto.v1.MakeEnvRequest;
import dev.gymrpc.proto.v1.MakeEnvResponse;
import dev.gymrpc.proto.v1.MakeVectorEnvRequest;
import dev.gymrpc.proto.v1.MakeVectorEnvResponse;
import dev.gymrpc.proto.v1.RenderRequest;
import dev.gymrpc.proto.v1.RenderResponse;
import dev.gymrpc.proto.v1.ResetRequest;
import dev.gymrpc.proto.v1.ResetResponse;
import dev.gymrpc.proto.v1.SessionRequest;
import dev.gymrpc.proto.v1.SessionResponse;
import dev.gymrpc.proto.v1.StepRequest;
import dev.gymrpc.proto.v1.StepResponse;
import dev.gymrpc.proto.v1.VectorResetRequest;
import dev.gymrpc.proto.v1.VectorResetResponse;
import dev.gymrpc.proto.v1.VectorStepRequest;
import dev.gymrpc.proto.v1.VectorStepResponse;
import dev.gymrpc.server.errors.ErrorTranslator;
import dev.gymrpc.server.errors.RequestException;
import io.grpc.Grpc;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.net.SocketAddress;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC face of the env service: each rpc names its handle and delegates to {@link EnvOperations};
 * errors go through {@link ErrorTranslator}, for unary calls and per request on the Session stream.
 */
public final class EnvServiceImpl extends EnvServiceGrpc.EnvServiceImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(EnvServiceImpl.class);

    /** The caller's address, put into the context by {@link #peerInterceptor()} for "made by" logs. */
    private static final Context.Key<String> PEER = Context.key("gymrpc-peer");

    private final EnvOperations ops;
    private final Executor offload;
    private final AtomicLong streams = new AtomicLong();

    /**
     * @param offload runs Session-stream requests that are too slow for a transport thread (see
     *                {@link #runsOnTransportThread})
     */
    public EnvServiceImpl(EnvOperations ops, Executor offload) {
        this.ops = ops;
        this.offload = offload;
    }

    /**
     * Whether calls of {@code method} are cheap enough to run on the transport thread: the per-step
     * verbs are (microseconds of env work; a worker hand-off would cost more than the work). The
     * Session stream qualifies because it moves its slow requests to the offload executor itself.
     */
    public static boolean runsOnTransportThread(MethodDescriptor<?, ?> method) {
        // By name: the server serves guarded copies of the descriptors (see MalformedRequests).
        String name = method.getFullMethodName();
        return name.equals(EnvServiceGrpc.getStepMethod().getFullMethodName())
                || name.equals(EnvServiceGrpc.getResetMethod().getFullMethodName())
                || name.equals(EnvServiceGrpc.getGetServerInfoMethod().getFullMethodName())
                || name.equals(EnvServiceGrpc.getSessionMethod().getFullMethodName());
    }

    /** The Session requests that {@link SessionStream} runs on the offload executor. */
    private static boolean isSlow(SessionRequest r) {
        return switch (r.getRequestCase()) {
            case STEP, RESET, GET_SERVER_INFO, CLOSE_ENV, REQUEST_NOT_SET -> false;
            default -> true;
        };
    }

    /** Records the peer address of each call so session logs say who made an env. */
    public static ServerInterceptor peerInterceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                SocketAddress addr = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
                Context ctx = Context.current().withValue(PEER, addr == null ? "unknown peer" : addr.toString());
                return Contexts.interceptCall(ctx, call, headers, next);
            }
        };
    }

    private static String peer() {
        String p = PEER.get();
        return p == null ? "in-process peer" : p;
    }

    private static String requireHandle(String handle) {
        if (handle.isEmpty()) {
            throw RequestException.badRequest("handle is required: pass the handle returned by MakeEnv / MakeVectorEnv");
        }
        return handle;
    }

    @Override
    public void getServerInfo(GetServerInfoRequest request, StreamObserver<GetServerInfoResponse> out) {
        ErrorTranslator.unary("GetServerInfo", out, () -> ops.serverInfo(request));
    }

    @Override
    public void listEnvs(ListEnvsRequest request, StreamObserver<ListEnvsResponse> out) {
        ErrorTranslator.unary("ListEnvs", out, ops::listEnvs);
    }

    @Override
    public void makeEnv(MakeEnvRequest request, StreamObserver<MakeEnvResponse> out) {
        ErrorTranslator.unary("MakeEnv", out, () -> ops.makeEnv(request, peer()));
    }

    @Override
    public void reset(ResetRequest request, StreamObserver<ResetResponse> out) {
        ErrorTranslator.unary("Reset", out, () -> ops.reset(requireHandle(request.getHandle()), request));
    }

    @Override
    public void step(StepRequest request, StreamObserver<StepResponse> out) {
        ErrorTranslator.unary("Step", out, () -> ops.step(requireHandle(request.getHandle()), request));
    }

    @Override
    public void render(RenderRequest request, StreamObserver<RenderResponse> out) {
        ErrorTranslator.unary("Render", out, () -> ops.render(requireHandle(request.getHandle()), request));
    }

    @Override
    public void closeEnv(CloseEnvRequest request, StreamObserver<CloseEnvResponse> out) {
        ErrorTranslator.unary("CloseEnv", out, () -> ops.close(requireHandle(request.getHandle()), "CloseEnv"));
    }

    @Override
    public void makeVectorEnv(MakeVectorEnvRequest request, StreamObserver<MakeVectorEnvResponse> out) {
        ErrorTranslator.unary("MakeVectorEnv", out, () -> ops.makeVectorEnv(request, peer()));
    }

    @Override
    public void vectorReset(VectorResetRequest request, StreamObserver<VectorResetResponse> out) {
        ErrorTranslator.unary("VectorReset", out, () -> ops.vectorReset(requireHandle(request.getHandle()), request));
    }

    @Override
    public void vectorStep(VectorStepRequest request, StreamObserver<VectorStepResponse> out) {
        ErrorTranslator.unary("VectorStep", out, () -> ops.vectorStep(requireHandle(request.getHandle()), request));
    }

    @Override
    public StreamObserver<SessionRequest> session(StreamObserver<SessionResponse> responses) {
        return new SessionStream((ServerCallStreamObserver<SessionResponse>) responses,
                "stream#" + streams.incrementAndGet() + " from " + peer());
    }

    /**
     * One Session stream: answers each request in order, with a per-request error instead of ending the
     * stream, and closes the envs it made when the stream ends.
     *
     * <p>Flow control: requests are pulled one at a time and the next only after the previous response
     * was sent and while the client is reading ({@code isReady}), so a client that pipelines without
     * reading cannot make the server buffer unbounded responses (grpc-java's manual flow control
     * pattern). Pulling one at a time is also what keeps responses in order when a slow request runs on
     * the offload executor: no further request is delivered until it is answered. The stream's end
     * (half-close or cancellation) may arrive while such a request runs; it is then deferred until the
     * request is answered, so the envs it made are closed too.
     */
    private final class SessionStream implements StreamObserver<SessionRequest> {
        private final ServerCallStreamObserver<SessionResponse> out;
        private final String name;
        /** Handles made on this stream and still open, closed when the stream ends. */
        private final Set<String> owned = new LinkedHashSet<>();
        private String lastMade = "";
        // Guarded by this:
        private boolean wasReady;
        private boolean busy;
        private Runnable deferredEnd;
        private boolean ended;

        SessionStream(ServerCallStreamObserver<SessionResponse> out, String name) {
            this.out = out;
            this.name = name;
            out.disableAutoRequest();
            out.setOnReadyHandler(() -> {
                synchronized (this) {
                    if (out.isReady() && !wasReady && !busy) {
                        wasReady = true;
                        out.request(1);
                    }
                }
            });
            out.setOnCancelHandler(() -> LOG.info("{} cancelled by the client", name));
            LOG.info("{} opened", name);
        }

        @Override
        public void onNext(SessionRequest request) {
            synchronized (this) {
                busy = true;
            }
            if (isSlow(request)) {
                try {
                    offload.execute(() -> answer(handle(request)));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    answer(handle(request));
                }
            } else {
                answer(handle(request));
            }
        }

        /** Sends one response, pulls the next request, and runs an end that arrived meanwhile. */
        private synchronized void answer(SessionResponse response) {
            busy = false;
            if (ended) {
                return;
            }
            out.onNext(response);
            if (deferredEnd != null) {
                Runnable end = deferredEnd;
                deferredEnd = null;
                end.run();
                return;
            }
            if (out.isReady()) {
                out.request(1);
            } else {
                wasReady = false;
            }
        }

        private SessionResponse handle(SessionRequest request) {
            SessionResponse.Builder b = SessionResponse.newBuilder().setRequestId(request.getRequestId());
            String verb = "Session." + request.getRequestCase();
            try {
                switch (request.getRequestCase()) {
                    case GET_SERVER_INFO -> b.setGetServerInfo(ops.serverInfo(request.getGetServerInfo()));
                    case LIST_ENVS -> b.setListEnvs(ops.listEnvs());
                    case MAKE_ENV -> {
                        MakeEnvResponse r = ops.makeEnv(request.getMakeEnv(), name);
                        owned.add(r.getHandle());
                        lastMade = r.getHandle();
                        b.setMakeEnv(r);
                    }
                    case MAKE_VECTOR_ENV -> {
                        MakeVectorEnvResponse r = ops.makeVectorEnv(request.getMakeVectorEnv(), name);
                        owned.add(r.getHandle());
                        lastMade = r.getHandle();
                        b.setMakeVectorEnv(r);
                    }
                    case RESET -> b.setReset(ops.reset(resolve(request.getReset().getHandle()), request.getReset()));
                    case STEP -> b.setStep(ops.step(resolve(request.getStep().getHandle()), request.getStep()));
                    case RENDER -> b.setRender(ops.render(resolve(request.getRender().getHandle()), request.getRender()));
                    case CLOSE_ENV -> {
                        String h = resolve(request.getCloseEnv().getHandle());
                        owned.remove(h);
                        b.setCloseEnv(ops.close(h, "CloseEnv on " + name));
                    }
                    case VECTOR_RESET -> b.setVectorReset(ops.vectorReset(
                            resolve(request.getVectorReset().getHandle()), request.getVectorReset()));
                    case VECTOR_STEP -> b.setVectorStep(ops.vectorStep(
                            resolve(request.getVectorStep().getHandle()), request.getVectorStep()));
                    default -> throw RequestException.badRequest("the SessionRequest sets no request; set one of "
                            + "make_env, reset, step, render, close_env, make_vector_env, vector_reset, vector_step, "
                            + "list_envs, get_server_info");
                }
            } catch (RuntimeException e) {
                b.setError(ErrorTranslator.translate(verb, e).toProto());
            }
            return b.build();
        }

        /** An empty handle names the env most recently made on this stream. */
        private String resolve(String handle) {
            if (!handle.isEmpty()) {
                return handle;
            }
            if (lastMade.isEmpty()) {
                throw RequestException.badRequest("no env has been made on this stream yet: send make_env first, "
                        + "or pass a handle");
            }
            return lastMade;
        }

        @Override
        public synchronized void onError(Throwable t) {
            Runnable end = () -> end("ended with " + io.grpc.Status.fromThrowable(t).getCode());
            if (busy) {
                deferredEnd = end;
            } else {
                end.run();
            }
        }

        @Override
        public synchronized void onCompleted() {
            Runnable end = () -> {
                end("completed");
                out.onCompleted();
            };
            if (busy) {
                deferredEnd = end;
            } else {
                end.run();
            }
        }

        private void end(String how) {
            if (ended) {
                return;
            }
            ended = true;
            int n = 0;
            for (String h : owned) {
                if (ops.sessions().close(h, name + " " + how)) {
                    n++;
                }
            }
            owned.clear();
            LOG.info("{} {}; closed its {} open env(s)", name, how, n);
        }
    }
}
