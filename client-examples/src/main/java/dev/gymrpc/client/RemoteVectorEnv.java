package dev.gymrpc.client;

import dev.gymrpc.envs.AutoresetMode;
import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.EnvSpec;
import dev.gymrpc.envs.RgbImage;
import dev.gymrpc.envs.Space;
import dev.gymrpc.envs.VectorEnv;
import dev.gymrpc.proto.v1.CloseEnvRequest;
import dev.gymrpc.proto.v1.EnvServiceGrpc;
import dev.gymrpc.proto.v1.MakeVectorEnvRequest;
import dev.gymrpc.proto.v1.MakeVectorEnvResponse;
import dev.gymrpc.proto.v1.RenderFormat;
import dev.gymrpc.proto.v1.RenderRequest;
import dev.gymrpc.proto.v1.RenderResponse;
import dev.gymrpc.proto.v1.ValueMap;
import dev.gymrpc.proto.v1.VectorResetRequest;
import dev.gymrpc.proto.v1.VectorResetResponse;
import dev.gymrpc.proto.v1.VectorStepRequest;
import dev.gymrpc.proto.v1.VectorStepResponse;
import dev.gymrpc.proto.wire.Actions;
import dev.gymrpc.proto.wire.Spaces;
import dev.gymrpc.proto.wire.Tensors;
import dev.gymrpc.proto.wire.Values;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A vector env served by a gymrpc server: {@code num_envs} copies of one env stepped as a batch in one
 * call per step (Gymnasium's {@code make_vec}; EnvPool's batched {@code step(actions)}). Results use the
 * same records as the in-process {@link VectorEnv}, so code can switch between them. Not thread-safe.
 *
 * @param <A> the single action type
 */
public final class RemoteVectorEnv<A> implements AutoCloseable {

    private final Channel channel;
    private final EnvServiceGrpc.EnvServiceBlockingStub stub;
    private final Duration callTimeout;
    private final String handle;
    private final int numEnvs;
    private final int threads;
    private final AutoresetMode mode;
    private final EnvSpec spec;
    private final Box singleObservationSpace;
    private final Space<A> singleActionSpace;
    private boolean closed;

    private RemoteVectorEnv(Channel channel, Duration callTimeout, MakeVectorEnvResponse made) {
        this.channel = channel;
        this.stub = EnvServiceGrpc.newBlockingStub(channel);
        this.callTimeout = callTimeout;
        this.handle = made.getHandle();
        this.numEnvs = made.getNumEnvs();
        this.threads = Math.max(1, made.getThreads());
        this.mode = switch (made.getAutoresetMode()) {
            case AUTORESET_MODE_SAME_STEP -> AutoresetMode.SAME_STEP;
            case AUTORESET_MODE_DISABLED -> AutoresetMode.DISABLED;
            default -> AutoresetMode.NEXT_STEP;
        };
        this.spec = RemoteEnv.toSpec(channel, made.getEnv());
        this.singleObservationSpace = (Box) Spaces.fromProto(made.getEnv().getObservationSpace());
        @SuppressWarnings("unchecked")
        Space<A> a = (Space<A>) Spaces.fromProto(made.getEnv().getActionSpace());
        this.singleActionSpace = a;
    }

    /**
     * Makes {@code numEnvs} copies of {@code id} on the server.
     *
     * @param threads server-side worker threads stepping the batch: 0 = the server chooses (one per 16
     *                sub-envs, capped at its cores), 1 = one thread (best for cheap envs such as CartPole);
     *                {@link #threads()} says what is in force
     */
    public static RemoteVectorEnv<?> make(Channel channel, String id, int numEnvs, Map<String, ?> options,
                                          AutoresetMode mode, int threads) {
        Duration timeout = RemoteEnv.DEFAULT_CALL_TIMEOUT;
        EnvServiceGrpc.EnvServiceBlockingStub stub = EnvServiceGrpc.newBlockingStub(channel);
        dev.gymrpc.proto.v1.AutoresetMode wireMode = switch (mode) {
            case NEXT_STEP -> dev.gymrpc.proto.v1.AutoresetMode.AUTORESET_MODE_NEXT_STEP;
            case SAME_STEP -> dev.gymrpc.proto.v1.AutoresetMode.AUTORESET_MODE_SAME_STEP;
            case DISABLED -> dev.gymrpc.proto.v1.AutoresetMode.AUTORESET_MODE_DISABLED;
        };
        MakeVectorEnvRequest request = MakeVectorEnvRequest.newBuilder().setEnvId(id).setNumEnvs(numEnvs)
                .putAllOptions(Values.toValueMap(options)).setAutoresetMode(wireMode).setThreads(threads).build();
        MakeVectorEnvResponse made = RemoteErrors.call(() -> stub.withDeadlineAfter(timeout.toNanos(),
                TimeUnit.NANOSECONDS).makeVectorEnv(request), id, () -> RemoteEnv.listIds(stub));
        return new RemoteVectorEnv<>(channel, timeout, made);
    }

    public String handle() {
        return handle;
    }

    public int numEnvs() {
        return numEnvs;
    }

    /** Server worker threads stepping each batch, after the server's default and caps. */
    public int threads() {
        return threads;
    }

    /** The autoreset mode in force (Gymnasium's {@code metadata["autoreset_mode"]}). */
    public AutoresetMode autoresetMode() {
        return mode;
    }

    public EnvSpec spec() {
        return spec;
    }

    public Box singleObservationSpace() {
        return singleObservationSpace;
    }

    public Space<A> singleActionSpace() {
        return singleActionSpace;
    }

    /** A call on this vector env, waited for with {@link ResponseWait} (spin briefly, then block). */
    private <Q, R> R fast(io.grpc.MethodDescriptor<Q, R> method, Q request) {
        if (closed) {
            throw new IllegalStateException(spec.id() + " vector env: closed; make a new one");
        }
        return ResponseWait.unary(channel, method, request, callTimeout);
    }

    private <T> T call(Supplier<T> c) {
        return RemoteErrors.call(c, spec.id(), () -> RemoteEnv.listIds(stub));
    }

    /** Resets every sub-env; sub-env {@code i} is seeded with {@code seed + i} when {@code seed} is non-null. */
    public VectorEnv.VectorReset reset(Long seed) {
        return reset(seed, Map.of(), null);
    }

    /** Resets the sub-envs selected by {@code mask} (all when null), as Gymnasium's {@code reset_mask}. */
    public VectorEnv.VectorReset reset(Long seed, Map<String, ?> options, boolean[] mask) {
        VectorResetRequest.Builder b = VectorResetRequest.newBuilder().setHandle(handle)
                .putAllOptions(Values.toValueMap(options));
        if (seed != null) {
            b.setSeed(seed);
        }
        if (mask != null) {
            for (boolean m : mask) {
                b.addResetMask(m);
            }
        }
        VectorResetRequest request = b.build();
        VectorResetResponse r = call(() -> fast(EnvServiceGrpc.getVectorResetMethod(), request));
        return new VectorEnv.VectorReset(Tensors.toFloats(r.getObservations()), singleObservationSpace.flatSize(),
                infos(r.getInfosList()));
    }

    /** Steps every sub-env with its action (one call for the whole batch). */
    public VectorEnv.VectorStep step(List<? extends A> actions) {
        VectorStepRequest request = VectorStepRequest.newBuilder().setHandle(handle)
                .setActions(Actions.encodeBatch(singleActionSpace, actions)).build();
        VectorStepResponse r = call(() -> fast(EnvServiceGrpc.getVectorStepMethod(), request));
        int n = r.getRewardsCount();
        double[] rewards = new double[n];
        boolean[] terminated = new boolean[n];
        boolean[] truncated = new boolean[n];
        for (int i = 0; i < n; i++) {
            rewards[i] = r.getRewards(i);
            terminated[i] = r.getTerminated(i);
            truncated[i] = r.getTruncated(i);
        }
        return new VectorEnv.VectorStep(Tensors.toFloats(r.getObservations()), singleObservationSpace.flatSize(),
                rewards, terminated, truncated, infos(r.getInfosList()));
    }

    /** Renders sub-env {@code index}. */
    public RgbImage render(int index) {
        RenderRequest request = RenderRequest.newBuilder().setHandle(handle).setIndex(index)
                .setFormat(RenderFormat.RENDER_FORMAT_RGB).build();
        RenderResponse r = call(() -> fast(EnvServiceGrpc.getRenderMethod(), request));
        return new RgbImage(r.getWidth(), r.getHeight(), r.getData().toByteArray());
    }

    private static List<Map<String, Object>> infos(List<ValueMap> wire) {
        List<Map<String, Object>> out = new ArrayList<>(wire.size());
        for (ValueMap m : wire) {
            out.add(Values.fromValueMap(m.getFieldsMap()));
        }
        return out;
    }

    /** Frees the server-side envs. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            fast(EnvServiceGrpc.getCloseEnvMethod(), CloseEnvRequest.newBuilder().setHandle(handle).build());
        } catch (StatusRuntimeException e) {
            // Gone already (server stopped or handle reclaimed): nothing left to free.
        } finally {
            closed = true;
        }
    }
}
