package dev.gymrpc.client;

import dev.gymrpc.envs.Box;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvSpec;
import dev.gymrpc.envs.InvalidActionException;
import dev.gymrpc.envs.OptionSpec;
import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.RgbImage;
import dev.gymrpc.envs.Space;
import dev.gymrpc.envs.Step;
import dev.gymrpc.proto.v1.CloseEnvRequest;
import dev.gymrpc.proto.v1.EnvInfo;
import dev.gymrpc.proto.v1.EnvServiceGrpc;
import dev.gymrpc.proto.v1.ListEnvsRequest;
import dev.gymrpc.proto.v1.MakeEnvRequest;
import dev.gymrpc.proto.v1.MakeEnvResponse;
import dev.gymrpc.proto.v1.OptionInfo;
import dev.gymrpc.proto.v1.RenderFormat;
import dev.gymrpc.proto.v1.RenderRequest;
import dev.gymrpc.proto.v1.RenderResponse;
import dev.gymrpc.proto.v1.ResetRequest;
import dev.gymrpc.proto.v1.ResetResponse;
import dev.gymrpc.proto.v1.SessionRequest;
import dev.gymrpc.proto.v1.StepRequest;
import dev.gymrpc.proto.v1.StepResponse;
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
 * An env served by a gymrpc server, usable wherever a local {@link Env} is: same spaces, same seeding,
 * same exceptions (the server's INVALID_ACTION / RESET_NEEDED / INVALID_OPTION errors come back as
 * {@link InvalidActionException}, {@link dev.gymrpc.envs.ResetNeededException} and
 * {@link dev.gymrpc.envs.InvalidOptionException}).
 *
 * <p>Actions are not validated here beyond what encoding needs: the server is the authority, so the
 * same action is rejected with the same message locally and remotely. Each call has a deadline
 * ({@link #DEFAULT_CALL_TIMEOUT} unless given), so a dead server surfaces as DEADLINE_EXCEEDED rather
 * than a hang. Not thread-safe, like every env.
 *
 * @param <A> the action type: {@code Integer} for Discrete, {@code float[]} for Box
 */
public final class RemoteEnv<A> implements Env<A> {

    /** Deadline of each call unless another is given. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

    private final EnvServiceGrpc.EnvServiceBlockingStub stub;
    private final Transport transport;
    private final String handle;
    private final EnvSpec spec;
    private final Box observationSpace;
    private final Space<A> actionSpace;
    private final int renderFps;
    private boolean closed;

    /** How the env's calls reach the server: unary rpcs or one Session stream. */
    private interface Transport {
        ResetResponse reset(ResetRequest r);

        StepResponse step(StepRequest r);

        RenderResponse render(RenderRequest r);

        void close(CloseEnvRequest r);
    }

    /** Unary rpcs, each waited for with {@link ResponseWait} (spin briefly, then block). */
    private static Transport unary(Channel channel, Duration timeout) {
        return new Transport() {
            @Override
            public ResetResponse reset(ResetRequest r) {
                return ResponseWait.unary(channel, EnvServiceGrpc.getResetMethod(), r, timeout);
            }

            @Override
            public StepResponse step(StepRequest r) {
                return ResponseWait.unary(channel, EnvServiceGrpc.getStepMethod(), r, timeout);
            }

            @Override
            public RenderResponse render(RenderRequest r) {
                return ResponseWait.unary(channel, EnvServiceGrpc.getRenderMethod(), r, timeout);
            }

            @Override
            public void close(CloseEnvRequest r) {
                ResponseWait.unary(channel, EnvServiceGrpc.getCloseEnvMethod(), r, timeout);
            }
        };
    }

    private static Transport stream(SessionClient session) {
        return new Transport() {
            @Override
            public ResetResponse reset(ResetRequest r) {
                return session.call(SessionRequest.newBuilder().setReset(r)).getReset();
            }

            @Override
            public StepResponse step(StepRequest r) {
                return session.call(SessionRequest.newBuilder().setStep(r)).getStep();
            }

            @Override
            public RenderResponse render(RenderRequest r) {
                return session.call(SessionRequest.newBuilder().setRender(r)).getRender();
            }

            @Override
            public void close(CloseEnvRequest r) {
                // Ending the stream closes the env on the server.
                session.close();
            }
        };
    }

    private RemoteEnv(Channel channel, Transport transport, MakeEnvResponse made) {
        this.stub = EnvServiceGrpc.newBlockingStub(channel);
        this.transport = transport;
        this.handle = made.getHandle();
        EnvInfo info = made.getEnv();
        this.spec = toSpec(channel, info);
        this.observationSpace = (Box) Spaces.fromProto(info.getObservationSpace());
        @SuppressWarnings("unchecked")
        Space<A> a = (Space<A>) Spaces.fromProto(info.getActionSpace());
        this.actionSpace = a;
        this.renderFps = info.getRenderFps();
    }

    /** Makes {@code id} on the server behind {@code channel} with {@code options} (as {@code gymnasium.make}). */
    public static RemoteEnv<?> make(Channel channel, String id, Map<String, ?> options) {
        return make(channel, id, options, DEFAULT_CALL_TIMEOUT);
    }

    /** As {@link #make(Channel, String, Map)} with a per-call deadline. */
    public static RemoteEnv<?> make(Channel channel, String id, Map<String, ?> options, Duration callTimeout) {
        EnvServiceGrpc.EnvServiceBlockingStub stub = EnvServiceGrpc.newBlockingStub(channel);
        MakeEnvResponse made = RemoteErrors.call(() -> stub.withDeadlineAfter(callTimeout.toNanos(), TimeUnit.NANOSECONDS)
                .makeEnv(MakeEnvRequest.newBuilder().setEnvId(id).putAllOptions(Values.toValueMap(options)).build()),
                id, () -> listIds(stub));
        return new RemoteEnv<>(channel, unary(channel, callTimeout), made);
    }

    /**
     * Makes {@code id} on its own {@code Session} stream: every call of this env travels on that stream,
     * which shortens a step's round trip; {@link #close()} ends the stream (and the server closes the env).
     */
    public static RemoteEnv<?> makeOnStream(Channel channel, String id, Map<String, ?> options) {
        SessionClient session = new SessionClient(channel, DEFAULT_CALL_TIMEOUT);
        EnvServiceGrpc.EnvServiceBlockingStub stub = EnvServiceGrpc.newBlockingStub(channel);
        try {
            MakeEnvResponse made = RemoteErrors.call(() -> session.call(SessionRequest.newBuilder().setMakeEnv(
                    MakeEnvRequest.newBuilder().setEnvId(id).putAllOptions(Values.toValueMap(options)))).getMakeEnv(),
                    id, () -> listIds(stub));
            return new RemoteEnv<>(channel, stream(session), made);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /**
     * Typed make: {@code Integer.class} for Discrete action spaces, {@code float[].class} for Box ones.
     * Closes the env and throws {@link IllegalArgumentException} if the action type does not match.
     */
    @SuppressWarnings("unchecked")
    public static <A> RemoteEnv<A> make(Channel channel, String id, Map<String, ?> options, Class<A> actionType) {
        RemoteEnv<?> env = make(channel, id, options);
        boolean ok = env.actionSpace() instanceof Discrete ? actionType == Integer.class : actionType == float[].class;
        if (!ok) {
            env.close();
            throw new IllegalArgumentException(id + " has action space " + env.actionSpace()
                    + ", not actions of type " + actionType.getSimpleName());
        }
        return (RemoteEnv<A>) env;
    }

    static List<String> listIds(EnvServiceGrpc.EnvServiceBlockingStub stub) {
        List<String> ids = new ArrayList<>();
        for (EnvInfo e : stub.withDeadlineAfter(10, TimeUnit.SECONDS).listEnvs(ListEnvsRequest.getDefaultInstance())
                .getEnvsList()) {
            ids.add(e.getId());
        }
        return ids;
    }

    /**
     * The env API spec of a wire description. The registered time limit is the default of the
     * {@code max_episode_steps} option (the limit in force may differ if the env was made with that
     * option); {@code factory} makes another remote env on the same channel.
     */
    static EnvSpec toSpec(Channel channel, EnvInfo info) {
        List<OptionSpec> options = new ArrayList<>();
        int registeredLimit = info.getMaxEpisodeSteps();
        for (OptionInfo o : info.getOptionsList()) {
            Object def = Values.fromValue(o.getDefaultValue());
            if (o.getName().equals("max_episode_steps")) {
                registeredLimit = def instanceof Number n ? n.intValue() : registeredLimit;
                continue;
            }
            String type = switch (o.getType()) {
                case OPTION_TYPE_BOOL -> "bool";
                case OPTION_TYPE_INT -> "int";
                case OPTION_TYPE_FLOAT -> "float";
                default -> "string";
            };
            options.add(new OptionSpec(o.getName(), type, def, o.getDescription()));
        }
        String id = info.getId();
        return new EnvSpec(id, opts -> make(channel, id, opts.asMap()), registeredLimit,
                info.hasRewardThreshold() ? info.getRewardThreshold() : Double.NaN, options, info.getDescription());
    }

    /** The server-side handle (a capability: anyone holding it can drive this env). */
    public String handle() {
        return handle;
    }

    @Override
    public EnvSpec spec() {
        return spec;
    }

    @Override
    public Box observationSpace() {
        return observationSpace;
    }

    @Override
    public Space<A> actionSpace() {
        return actionSpace;
    }

    @Override
    public int renderFps() {
        return renderFps;
    }

    private Transport transport() {
        if (closed) {
            throw new IllegalStateException(spec.id() + ": the env is closed; make a new one");
        }
        return transport;
    }

    private <T> T call(Supplier<T> c) {
        return RemoteErrors.call(c, spec.id(), () -> listIds(stub));
    }

    @Override
    public Reset reset(Long seed, Map<String, ?> options) {
        ResetRequest.Builder b = ResetRequest.newBuilder().setHandle(handle);
        if (seed != null) {
            b.setSeed(seed);
        }
        if (options != null) {
            b.putAllOptions(Values.toValueMap(options));
        }
        ResetRequest request = b.build();
        ResetResponse r = call(() -> transport().reset(request));
        return new Reset(Tensors.toFloats(r.getObservation()), Values.fromValueMap(r.getInfoMap()));
    }

    @Override
    public Step step(A action) {
        if (action == null) {
            throw new InvalidActionException(spec.id() + ": action is null; expected an element of " + actionSpace);
        }
        StepRequest request = StepRequest.newBuilder().setHandle(handle).setAction(Actions.encode(actionSpace, action))
                .build();
        StepResponse r = call(() -> transport().step(request));
        return new Step(Tensors.toFloats(r.getObservation()), r.getReward(), r.getTerminated(), r.getTruncated(),
                Values.fromValueMap(r.getInfoMap()));
    }

    @Override
    public RgbImage render() {
        RenderRequest request = RenderRequest.newBuilder().setHandle(handle).setFormat(RenderFormat.RENDER_FORMAT_RGB)
                .build();
        RenderResponse r = call(() -> transport().render(request));
        return new RgbImage(r.getWidth(), r.getHeight(), r.getData().toByteArray());
    }

    /** Frees the server-side env. Idempotent; a server that already forgot the handle is not an error. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            transport().close(CloseEnvRequest.newBuilder().setHandle(handle).build());
        } catch (StatusRuntimeException e) {
            // The server is gone or the handle was reclaimed: either way nothing is left to free.
        } finally {
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "RemoteEnv<" + spec.id() + ">";
    }
}
