package dev.gymrpc.server.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import dev.gymrpc.proto.v1.Algorithm;
import dev.gymrpc.proto.v1.AgentServiceGrpc;
import dev.gymrpc.proto.v1.GetJobRequest;
import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.JobEvent;
import dev.gymrpc.proto.v1.JobState;
import dev.gymrpc.proto.v1.TrainingSpec;
import dev.gymrpc.proto.v1.WatchJobRequest;
import dev.gymrpc.proto.wire.ErrorReasons;
import dev.gymrpc.server.jobs.ManagedJob;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.function.Executable;

/** Helpers shared by the agent service tests. */
final class Rpc {

    private Rpc() {
    }

    /** A SAC-on-FourRooms spec with a step budget. */
    static TrainingSpec.Builder sacSpec(long seed, long steps) {
        return TrainingSpec.newBuilder().setAlgorithm(Algorithm.ALGORITHM_SAC).setEnvId("FourRooms-v0").setSeed(seed)
                .setTotalSteps(steps);
    }

    /** All events of a job from {@code from} until its stream ends. */
    static List<JobEvent> watchAll(AgentServiceGrpc.AgentServiceBlockingStub stub, String jobId, long from) {
        List<JobEvent> out = new ArrayList<>();
        Iterator<JobEvent> it = stub.watchJob(WatchJobRequest.newBuilder().setJobId(jobId).setFromOffset(from).build());
        it.forEachRemaining(out::add);
        return out;
    }

    /** Polls GetJob until {@code until} holds (at most 60 s). */
    static Job awaitJob(AgentServiceGrpc.AgentServiceBlockingStub stub, String jobId, Predicate<Job> until)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        Job j = stub.getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
        while (!until.test(j)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("job did not reach the expected condition in 60 s: " + j);
            }
            Thread.sleep(20);
            j = stub.getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
        }
        return j;
    }

    static Job awaitFinal(AgentServiceGrpc.AgentServiceBlockingStub stub, String jobId) throws InterruptedException {
        return awaitJob(stub, jobId, j -> ManagedJob.isFinal(j.getState()));
    }

    static Job awaitState(AgentServiceGrpc.AgentServiceBlockingStub stub, String jobId, JobState s)
            throws InterruptedException {
        return awaitJob(stub, jobId, j -> j.getState() == s);
    }

    /** The failure of {@code call}, asserting its code. */
    static StatusRuntimeException fails(Status.Code code, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), () -> "status: " + e.getStatus());
        return e;
    }

    static String reason(StatusRuntimeException e) {
        return Status.trailersFromThrowable(e).get(ErrorReasons.REASON_KEY);
    }

    static ErrorInfo errorInfo(StatusRuntimeException e) {
        com.google.rpc.Status s = StatusProto.fromThrowable(e);
        assertTrue(s != null && s.getDetailsCount() > 0, "no error details");
        try {
            return s.getDetails(0).unpack(ErrorInfo.class);
        } catch (InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
        }
    }
}
