package dev.gymrpc.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.Step;
import dev.gymrpc.proto.v1.CloseEnvRequest;
import dev.gymrpc.proto.v1.EnvServiceGrpc;
import dev.gymrpc.proto.v1.MakeEnvRequest;
import dev.gymrpc.proto.v1.MakeVectorEnvRequest;
import dev.gymrpc.proto.v1.RenderFormat;
import dev.gymrpc.proto.v1.RenderRequest;
import dev.gymrpc.proto.v1.ResetRequest;
import dev.gymrpc.proto.v1.SessionRequest;
import dev.gymrpc.proto.v1.SessionResponse;
import dev.gymrpc.proto.v1.StepRequest;
import dev.gymrpc.proto.v1.VectorResetRequest;
import dev.gymrpc.proto.v1.VectorStepRequest;
import dev.gymrpc.proto.wire.ErrorReasons;
import dev.gymrpc.proto.wire.Tensors;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Session stream: one response per request, in order, under pipelining; per-request errors that
 * leave the stream and its envs usable (dm_env_rpc's behaviour); envs closed when the stream ends.
 */
class SessionStreamTest {

    /** A client side of one stream collecting responses. */
    private static final class Client implements StreamObserver<SessionResponse> {
        final LinkedBlockingQueue<SessionResponse> responses = new LinkedBlockingQueue<>();
        final CountDownLatch done = new CountDownLatch(1);
        volatile Throwable error;
        StreamObserver<SessionRequest> requests;

        @Override
        public void onNext(SessionResponse value) {
            responses.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done.countDown();
        }

        @Override
        public void onCompleted() {
            done.countDown();
        }

        SessionResponse next() throws InterruptedException {
            SessionResponse r = responses.poll(10, TimeUnit.SECONDS);
            assertNotNull(r, "a response within 10 s");
            return r;
        }

        SessionResponse call(SessionRequest r) throws InterruptedException {
            requests.onNext(r);
            return next();
        }
    }

    private static Client open(InProcessServer f) {
        Client c = new Client();
        c.requests = EnvServiceGrpc.newStub(f.channel).session(c);
        return c;
    }

    private static SessionRequest step(long id, long action) {
        return SessionRequest.newBuilder().setRequestId(id).setStep(StepRequest.newBuilder()
                .setAction(Tensors.scalar(action))).build();
    }

    @Test
    void pipelinedRequestsGetOneResponseEachInOrderMatchingALocalEnv() throws Exception {
        try (InProcessServer f = new InProcessServer()) {
            Client c = open(f);
            SessionResponse made = c.call(SessionRequest.newBuilder().setRequestId(1)
                    .setMakeEnv(MakeEnvRequest.newBuilder().setEnvId("CartPole-v1")).build());
            assertTrue(made.hasMakeEnv(), made.toString());
            // Pipeline: reset + 40 steps sent before reading anything; an empty handle means the stream's env.
            SplittableRandom rng = new SplittableRandom(3);
            List<Long> actions = new ArrayList<>();
            c.requests.onNext(SessionRequest.newBuilder().setRequestId(2)
                    .setReset(ResetRequest.newBuilder().setSeed(7)).build());
            for (int i = 0; i < 40; i++) {
                long a = rng.nextInt(2);
                actions.add(a);
                c.requests.onNext(step(100 + i, a));
            }
            SessionResponse reset = c.next();
            assertEquals(2, reset.getRequestId());
            try (Env<?> local = EnvRegistry.standard().make("CartPole-v1")) {
                float[] obs = local.reset(7L, Map.of()).observation();
                assertEquals(obs[0], reset.getReset().getObservation().getFloats().getValues(0));
                boolean ended = false;
                for (int i = 0; i < 40; i++) {
                    SessionResponse r = c.next();
                    assertEquals(100 + i, r.getRequestId(), "responses come in request order");
                    if (ended) {
                        assertEquals(Status.Code.FAILED_PRECONDITION.value(), r.getError().getCode());
                        assertEquals(ErrorReasons.RESET_NEEDED, r.getError().getReason());
                        continue;
                    }
                    Step s = local.stepObject(actions.get(i).intValue());
                    assertTrue(r.hasStep(), r.toString());
                    assertEquals(s.reward(), r.getStep().getReward());
                    assertEquals(s.terminated(), r.getStep().getTerminated());
                    for (int k = 0; k < 4; k++) {
                        assertEquals(s.observation()[k], r.getStep().getObservation().getFloats().getValues(k));
                    }
                    ended = s.done();
                }
            }
            c.requests.onCompleted();
            assertTrue(c.done.await(10, TimeUnit.SECONDS));
            assertEquals(null, c.error);
        }
    }

    @Test
    void errorsAreAnsweredPerRequestAndTheStreamGoesOn() throws Exception {
        try (InProcessServer f = new InProcessServer()) {
            Client c = open(f);
            SessionResponse early = c.call(step(1, 0));
            assertEquals(ErrorReasons.INVALID_REQUEST, early.getError().getReason(), "no env made yet");
            SessionResponse unknown = c.call(SessionRequest.newBuilder().setRequestId(2)
                    .setMakeEnv(MakeEnvRequest.newBuilder().setEnvId("Nope-v0")).build());
            assertEquals(Status.Code.NOT_FOUND.value(), unknown.getError().getCode());
            assertTrue(unknown.getError().getMessage().contains("CartPole-v1"));
            SessionResponse badOption = c.call(SessionRequest.newBuilder().setRequestId(3)
                    .setMakeEnv(MakeEnvRequest.newBuilder().setEnvId("FourRooms-v0").putOptions("nope",
                            dev.gymrpc.proto.v1.Value.newBuilder().setBoolValue(true).build())).build());
            assertEquals(ErrorReasons.INVALID_OPTION, badOption.getError().getReason());
            assertEquals("nope", badOption.getError().getMetadataMap().get("option"));
            assertEquals(4, c.call(SessionRequest.newBuilder().setRequestId(4)
                    .setMakeEnv(MakeEnvRequest.newBuilder().setEnvId("CartPole-v1")).build()).getRequestId());
            assertEquals(ErrorReasons.RESET_NEEDED, c.call(step(5, 0)).getError().getReason());
            assertTrue(c.call(SessionRequest.newBuilder().setRequestId(6).setReset(ResetRequest.newBuilder()
                    .setSeed(1)).build()).hasReset());
            SessionResponse bad = c.call(step(7, 9));
            assertEquals(Status.Code.INVALID_ARGUMENT.value(), bad.getError().getCode());
            assertEquals(ErrorReasons.INVALID_ACTION, bad.getError().getReason());
            assertTrue(c.call(step(8, 1)).hasStep(), "the env is still usable after a rejected action");
            SessionResponse empty = c.call(SessionRequest.newBuilder().setRequestId(9).build());
            assertEquals(ErrorReasons.INVALID_REQUEST, empty.getError().getReason());
            SessionResponse png = c.call(SessionRequest.newBuilder().setRequestId(10)
                    .setRender(RenderRequest.newBuilder().setFormat(RenderFormat.RENDER_FORMAT_PNG)).build());
            assertEquals((byte) 0x89, png.getRender().getData().byteAt(0), "PNG signature");
            assertEquals(RenderFormat.RENDER_FORMAT_PNG, png.getRender().getFormat());
            SessionResponse raw = c.call(SessionRequest.newBuilder().setRequestId(11)
                    .setRender(RenderRequest.newBuilder().setFormat(RenderFormat.RENDER_FORMAT_RGB)).build());
            assertEquals(raw.getRender().getWidth() * raw.getRender().getHeight() * 3, raw.getRender().getData().size());
            assertTrue(c.call(step(12, 0)).hasStep());
            c.requests.onCompleted();
            assertTrue(c.done.await(10, TimeUnit.SECONDS));
            assertEquals(null, c.error, "the stream ended normally despite the errors");
        }
    }

    @Test
    void envsMadeOnAStreamAreClosedWhenItEndsOrIsCancelled() throws Exception {
        try (InProcessServer f = new InProcessServer()) {
            // Normal end.
            Client c = open(f);
            c.call(SessionRequest.newBuilder().setMakeEnv(MakeEnvRequest.newBuilder().setEnvId("CartPole-v1")).build());
            c.call(SessionRequest.newBuilder().setMakeVectorEnv(MakeVectorEnvRequest.newBuilder()
                    .setEnvId("CartPole-v1").setNumEnvs(3)).build());
            String closedEarly = c.call(SessionRequest.newBuilder().setMakeEnv(MakeEnvRequest.newBuilder()
                    .setEnvId("FourRooms-v0")).build()).getMakeEnv().getHandle();
            assertTrue(c.call(SessionRequest.newBuilder().setCloseEnv(CloseEnvRequest.newBuilder()
                    .setHandle(closedEarly)).build()).getCloseEnv().getWasOpen());
            assertEquals(2, f.server.sessions().size());
            c.requests.onCompleted();
            assertTrue(c.done.await(10, TimeUnit.SECONDS));
            assertEquals(0, f.server.sessions().size(), "the stream's envs were closed when it completed");

            // Cancellation by the client.
            Context.CancellableContext ctx = Context.current().withCancellation();
            Client d = new Client();
            ctx.run(() -> d.requests = EnvServiceGrpc.newStub(f.channel).session(d));
            d.call(SessionRequest.newBuilder().setMakeEnv(MakeEnvRequest.newBuilder().setEnvId("CartPole-v1")).build());
            assertEquals(1, f.server.sessions().size());
            ctx.cancel(new RuntimeException("client gave up"));
            assertTrue(d.done.await(10, TimeUnit.SECONDS));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (f.server.sessions().size() > 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(0, f.server.sessions().size(), "the cancelled stream's env was closed");
        }
    }

    /** The Java client's stream transport: errors map to the env API's exceptions; close ends the stream. */
    @Test
    void remoteEnvOnAStreamBehavesLikeTheUnaryOneAndClosingEndsTheStream() throws Exception {
        try (InProcessServer f = new InProcessServer()) {
            dev.gymrpc.client.RemoteEnv<?> env = dev.gymrpc.client.RemoteEnv.makeOnStream(f.channel, "CartPole-v1",
                    Map.of("max_episode_steps", 2));
            org.junit.jupiter.api.Assertions.assertThrows(dev.gymrpc.envs.ResetNeededException.class,
                    () -> env.stepObject(0));
            env.reset(3L, Map.of());
            org.junit.jupiter.api.Assertions.assertThrows(dev.gymrpc.envs.InvalidActionException.class,
                    () -> env.stepObject(2));
            env.stepObject(1);
            assertTrue(env.stepObject(1).truncated());
            assertEquals(1, f.server.sessions().size());
            env.close();
            env.close();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (f.server.sessions().size() > 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(0, f.server.sessions().size(), "ending the stream closed the env");
            org.junit.jupiter.api.Assertions.assertThrows(dev.gymrpc.envs.InvalidOptionException.class, () ->
                    dev.gymrpc.client.RemoteEnv.makeOnStream(f.channel, "FourRooms-v0", Map.of("slip_prob", 3.0)));
            org.junit.jupiter.api.Assertions.assertThrows(dev.gymrpc.envs.UnknownEnvException.class, () ->
                    dev.gymrpc.client.RemoteEnv.makeOnStream(f.channel, "Nope-v0", Map.of()));
        }
    }

    @Test
    void vectorVerbsWorkOnTheStream() throws Exception {
        try (InProcessServer f = new InProcessServer()) {
            Client c = open(f);
            SessionResponse made = c.call(SessionRequest.newBuilder().setMakeVectorEnv(MakeVectorEnvRequest.newBuilder()
                    .setEnvId("CartPole-v1").setNumEnvs(4)).build());
            assertEquals(4, made.getMakeVectorEnv().getNumEnvs());
            SessionResponse reset = c.call(SessionRequest.newBuilder().setVectorReset(VectorResetRequest.newBuilder()
                    .setSeed(0)).build());
            assertEquals(List.of(4L, 4L), reset.getVectorReset().getObservations().getShapeList());
            SessionResponse stepped = c.call(SessionRequest.newBuilder().setVectorStep(VectorStepRequest.newBuilder()
                    .setActions(Tensors.ofLongs(new long[] {0, 1, 0, 1}))).build());
            assertEquals(4, stepped.getVectorStep().getRewardsCount());
            assertFalse(stepped.hasError());
            c.requests.onCompleted();
            assertTrue(c.done.await(10, TimeUnit.SECONDS));
        }
    }
}
