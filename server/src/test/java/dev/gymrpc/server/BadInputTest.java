package dev.gymrpc.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import dev.gymrpc.proto.v1.CloseEnvRequest;
import dev.gymrpc.proto.v1.EnvServiceGrpc;
import dev.gymrpc.proto.v1.MakeEnvRequest;
import dev.gymrpc.proto.v1.MakeVectorEnvRequest;
import dev.gymrpc.proto.v1.ResetRequest;
import dev.gymrpc.proto.v1.StepRequest;
import dev.gymrpc.proto.v1.StepResponse;
import dev.gymrpc.proto.v1.Tensor;
import dev.gymrpc.proto.v1.Value;
import dev.gymrpc.proto.v1.VectorResetRequest;
import dev.gymrpc.proto.v1.VectorStepRequest;
import dev.gymrpc.proto.wire.ErrorReasons;
import dev.gymrpc.proto.wire.Tensors;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The error table of env.proto, call by call: each bad input gets its documented status code and
 * reason, a message that says what to do, and leaves the env usable. Nothing reaches the client as
 * UNKNOWN.
 */
class BadInputTest {

    private InProcessServer fixture;
    private EnvServiceGrpc.EnvServiceBlockingStub stub;

    @BeforeEach
    void start() {
        fixture = new InProcessServer();
        stub = EnvServiceGrpc.newBlockingStub(fixture.channel);
    }

    @AfterEach
    void stop() throws InterruptedException {
        fixture.close();
    }

    /** Asserts the call fails with {@code code} and {@code reason}; returns the exception. */
    private static StatusRuntimeException fails(Status.Code code, String reason, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), () -> "status of " + e.getStatus());
        assertEquals(reason, e.getTrailers().get(ErrorReasons.REASON_KEY), "reason trailer");
        com.google.rpc.Status rich = StatusProto.fromThrowable(e);
        assertNotNull(rich, "grpc-status-details-bin is set");
        boolean found = false;
        for (Any d : rich.getDetailsList()) {
            if (d.is(ErrorInfo.class)) {
                try {
                    ErrorInfo info = d.unpack(ErrorInfo.class);
                    assertEquals(reason, info.getReason());
                    assertEquals(ErrorReasons.DOMAIN, info.getDomain());
                    found = true;
                } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                    throw new AssertionError(ex);
                }
            }
        }
        assertTrue(found, "an ErrorInfo detail names the reason");
        return e;
    }

    private String make(String id) {
        return stub.makeEnv(MakeEnvRequest.newBuilder().setEnvId(id).build()).getHandle();
    }

    private String makeAndReset(String id) {
        String h = make(id);
        stub.reset(ResetRequest.newBuilder().setHandle(h).setSeed(0).build());
        return h;
    }

    private StepResponse step(String h, Tensor action) {
        return stub.step(StepRequest.newBuilder().setHandle(h).setAction(action).build());
    }

    private static Value num(double v) {
        return Value.newBuilder().setFloatValue(v).build();
    }

    // ---- make ------------------------------------------------------------------------------------

    @Test
    void unknownEnvIdIsNotFoundListingTheValidIds() {
        StatusRuntimeException e = fails(Status.Code.NOT_FOUND, ErrorReasons.UNKNOWN_ENV, () -> make("CartPole-v0"));
        String m = e.getStatus().getDescription();
        assertTrue(m.contains("CartPole-v0") && m.contains("CartPole-v1") && m.contains("FourRooms-v0"), m);
    }

    @Test
    void unknownOptionIsInvalidArgumentNamingIt() {
        StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_OPTION, () ->
                stub.makeEnv(MakeEnvRequest.newBuilder().setEnvId("FourRooms-v0").putOptions("slipprob", num(0.1)).build()));
        assertEquals("slipprob", e.getTrailers().get(ErrorReasons.OPTION_KEY));
        assertTrue(e.getStatus().getDescription().contains("slip_prob"), "lists the accepted options");
    }

    @Test
    void optionOfTheWrongTypeOrRangeIsInvalidArgumentNamingIt() {
        StatusRuntimeException wrongType = fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_OPTION, () ->
                stub.makeEnv(MakeEnvRequest.newBuilder().setEnvId("FourRooms-v0")
                        .putOptions("slip_prob", Value.newBuilder().setStringValue("lots").build()).build()));
        assertEquals("slip_prob", wrongType.getTrailers().get(ErrorReasons.OPTION_KEY));
        StatusRuntimeException range = fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_OPTION, () ->
                stub.makeEnv(MakeEnvRequest.newBuilder().setEnvId("FourRooms-v0").putOptions("slip_prob", num(1.5))
                        .build()));
        assertEquals("slip_prob", range.getTrailers().get(ErrorReasons.OPTION_KEY));
        StatusRuntimeException limit = fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_OPTION, () ->
                stub.makeEnv(MakeEnvRequest.newBuilder().setEnvId("CartPole-v1")
                        .putOptions("max_episode_steps", Value.newBuilder().setIntValue(-3).build()).build()));
        assertEquals("max_episode_steps", limit.getTrailers().get(ErrorReasons.OPTION_KEY));
        assertEquals(0, fixture.server.sessions().size(), "failed makes leave no session behind");
    }

    @Test
    void badResetOptionIsInvalidArgument() {
        String h = make("CartPole-v1");
        StatusRuntimeException e = fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_OPTION, () ->
                stub.reset(ResetRequest.newBuilder().setHandle(h).putOptions("low", num(0.1)).build()));
        assertEquals("low", e.getTrailers().get(ErrorReasons.OPTION_KEY));
    }

    // ---- actions ---------------------------------------------------------------------------------

    @Test
    void discreteActionsOutsideTheSpaceOrOfTheWrongDtypeOrShapeAreInvalidArgument() {
        String h = makeAndReset("CartPole-v1");
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () -> step(h, Tensors.scalar(2)));
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () -> step(h, Tensors.scalar(-1)));
        StatusRuntimeException dtype = fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () ->
                step(h, Tensors.ofFloats(new float[] {1f}, new long[0])));
        assertTrue(dtype.getStatus().getDescription().contains("integer"), dtype.getStatus().getDescription());
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () -> step(h, Tensors.ofLongs(new long[] {0, 1})));
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () ->
                step(h, Tensors.ofLongs(new long[] {1L << 40}, new long[0])));
        // A tensor whose shape disagrees with its payload, and one with no payload at all.
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () ->
                step(h, Tensor.newBuilder().addShape(3).setInt64S(dev.gymrpc.proto.v1.Int64Array.newBuilder()
                        .addValues(0)).build()));
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () -> step(h, Tensor.getDefaultInstance()));
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_REQUEST, () ->
                stub.step(StepRequest.newBuilder().setHandle(h).build()));
        // The env is still usable, and an int32 scalar is accepted as well as int64.
        step(h, Tensors.scalar(1));
        step(h, Tensors.ofInts(new int[] {0}, new long[0]));
    }

    @Test
    void boxActionsWithNanWrongShapeWrongDtypeOrOutOfRangeAreInvalidArgument() {
        String h = makeAndReset("BoxTarget-v0");
        StatusRuntimeException nan = fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () ->
                step(h, Tensors.ofFloats(new float[] {Float.NaN, 0f})));
        assertTrue(nan.getStatus().getDescription().contains("NaN"), nan.getStatus().getDescription());
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () ->
                step(h, Tensors.ofFloats(new float[] {0f, 0f, 0f})));
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () ->
                step(h, Tensors.ofFloats(new float[] {0f, 0f}, 1, 2)));
        StatusRuntimeException f64 = fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () ->
                step(h, Tensors.ofDoubles(new double[] {0, 0})));
        assertTrue(f64.getStatus().getDescription().contains("float32"), f64.getStatus().getDescription());
        StatusRuntimeException high = fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () ->
                step(h, Tensors.ofFloats(new float[] {0f, 1.5f})));
        assertTrue(high.getStatus().getDescription().contains("element 1"), high.getStatus().getDescription());
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () ->
                step(h, Tensors.ofFloats(new float[] {Float.NEGATIVE_INFINITY, 0f})));
        step(h, Tensors.ofFloats(new float[] {0.5f, -0.5f}));
    }

    // ---- episode order ---------------------------------------------------------------------------

    @Test
    void stepBeforeResetOrAfterTheEndIsFailedPrecondition() {
        String h = make("CartPole-v1");
        StatusRuntimeException before = fails(Status.Code.FAILED_PRECONDITION, ErrorReasons.RESET_NEEDED,
                () -> step(h, Tensors.scalar(0)));
        assertTrue(before.getStatus().getDescription().contains("reset"), before.getStatus().getDescription());
        String limited = stub.makeEnv(MakeEnvRequest.newBuilder().setEnvId("CartPole-v1")
                .putOptions("max_episode_steps", Value.newBuilder().setIntValue(2).build()).build()).getHandle();
        stub.reset(ResetRequest.newBuilder().setHandle(limited).setSeed(1).build());
        assertFalse(step(limited, Tensors.scalar(0)).getTruncated());
        assertTrue(step(limited, Tensors.scalar(0)).getTruncated());
        fails(Status.Code.FAILED_PRECONDITION, ErrorReasons.RESET_NEEDED, () -> step(limited, Tensors.scalar(0)));
        stub.reset(ResetRequest.newBuilder().setHandle(limited).build());
        step(limited, Tensors.scalar(0));
    }

    // ---- handles ---------------------------------------------------------------------------------

    @Test
    void unknownClosedOrMissingHandles() {
        fails(Status.Code.NOT_FOUND, ErrorReasons.UNKNOWN_HANDLE, () -> step("00112233445566778899aabbccddeeff",
                Tensors.scalar(0)));
        String h = makeAndReset("CartPole-v1");
        assertTrue(stub.closeEnv(CloseEnvRequest.newBuilder().setHandle(h).build()).getWasOpen());
        StatusRuntimeException closed = fails(Status.Code.NOT_FOUND, ErrorReasons.UNKNOWN_HANDLE,
                () -> step(h, Tensors.scalar(0)));
        assertFalse(closed.getStatus().getDescription().contains(h), "messages never echo a full handle");
        assertFalse(stub.closeEnv(CloseEnvRequest.newBuilder().setHandle(h).build()).getWasOpen(), "close is idempotent");
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_REQUEST,
                () -> stub.reset(ResetRequest.getDefaultInstance()));
    }

    @Test
    void vectorAndSingleHandlesAreNotInterchangeable() {
        String single = make("CartPole-v1");
        String vector = stub.makeVectorEnv(MakeVectorEnvRequest.newBuilder().setEnvId("CartPole-v1").setNumEnvs(2)
                .build()).getHandle();
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.WRONG_HANDLE_KIND,
                () -> stub.reset(ResetRequest.newBuilder().setHandle(vector).build()));
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.WRONG_HANDLE_KIND,
                () -> stub.vectorReset(VectorResetRequest.newBuilder().setHandle(single).build()));
    }

    @Test
    void badVectorRequests() {
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_REQUEST, () -> stub.makeVectorEnv(
                MakeVectorEnvRequest.newBuilder().setEnvId("CartPole-v1").setNumEnvs(0).build()));
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_REQUEST, () -> stub.makeVectorEnv(
                MakeVectorEnvRequest.newBuilder().setEnvId("CartPole-v1").setNumEnvs(100_000).build()));
        fails(Status.Code.NOT_FOUND, ErrorReasons.UNKNOWN_ENV, () -> stub.makeVectorEnv(
                MakeVectorEnvRequest.newBuilder().setEnvId("Nope-v9").setNumEnvs(2).build()));
        String v = stub.makeVectorEnv(MakeVectorEnvRequest.newBuilder().setEnvId("CartPole-v1").setNumEnvs(3).build())
                .getHandle();
        fails(Status.Code.FAILED_PRECONDITION, ErrorReasons.RESET_NEEDED, () -> stub.vectorStep(
                VectorStepRequest.newBuilder().setHandle(v).setActions(Tensors.ofLongs(new long[] {0, 0, 0})).build()));
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_REQUEST, () -> stub.vectorReset(
                VectorResetRequest.newBuilder().setHandle(v).addResetMask(true).build()));
        stub.vectorReset(VectorResetRequest.newBuilder().setHandle(v).setSeed(0).build());
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () -> stub.vectorStep(
                VectorStepRequest.newBuilder().setHandle(v).setActions(Tensors.ofLongs(new long[] {0, 0})).build()));
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () -> stub.vectorStep(
                VectorStepRequest.newBuilder().setHandle(v).setActions(Tensors.ofLongs(new long[] {0, 5, 0})).build()));
        fails(Status.Code.INVALID_ARGUMENT, ErrorReasons.INVALID_ACTION, () -> stub.vectorStep(
                VectorStepRequest.newBuilder().setHandle(v).setActions(Tensors.ofFloats(new float[] {0, 1, 0})).build()));
    }

    // ---- server faults ---------------------------------------------------------------------------

    @Test
    void unexpectedExceptionsBecomeInternalWithAMessageNeverUnknown() {
        String h = makeAndReset("Faulty-v0");
        StatusRuntimeException e = fails(Status.Code.INTERNAL, ErrorReasons.INTERNAL, () -> step(h, Tensors.scalar(1)));
        String m = e.getStatus().getDescription();
        assertTrue(m.contains("ArrayIndexOutOfBoundsException") && m.contains("simulated bug"), m);
        // The failure touched nothing else: the same handle still answers.
        step(h, Tensors.scalar(0));
    }

    /** The transport's own limit: a message above --max-message-bytes is refused by gRPC, on a real socket. */
    @Test
    void oversizedMessageIsResourceExhaustedFromGrpcItself() throws Exception {
        ServerConfig config = ServerConfig.defaults().withHost("127.0.0.1").withPort(0).withMaxMessageBytes(64 * 1024);
        GymRpcServer server = new GymRpcServer(GymRpcServer.netty(config), config, TestEnvs.registry()).start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
            EnvServiceGrpc.EnvServiceBlockingStub s = EnvServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
            String h = s.makeEnv(MakeEnvRequest.newBuilder().setEnvId("BoxTarget-v0").build()).getHandle();
            s.reset(ResetRequest.newBuilder().setHandle(h).setSeed(0).build());
            Tensor huge = Tensors.ofFloats(new float[100_000]);
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
                    s.step(StepRequest.newBuilder().setHandle(h).setAction(huge).build()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
            // The connection and the env survive.
            Supplier<StepResponse> ok = () -> s.step(StepRequest.newBuilder().setHandle(h)
                    .setAction(Tensors.ofFloats(new float[] {0f, 0f})).build());
            assertEquals(2, ok.get().getObservation().getFloats().getValuesCount());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.stop(Duration.ofSeconds(1));
        }
    }
}
