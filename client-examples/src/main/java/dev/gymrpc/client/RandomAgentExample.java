package dev.gymrpc.client;

import dev.gymrpc.envs.Reset;
import dev.gymrpc.envs.Step;
import dev.gymrpc.proto.v1.EnvServiceGrpc;
import dev.gymrpc.proto.v1.GetServerInfoRequest;
import dev.gymrpc.proto.v1.GetServerInfoResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A random agent on a remote env: connects to a gymrpc server (default localhost:50051, start one with
 * {@code ./gymrpc serve}), checks the protocol version, plays a few episodes of LunarLander-v3 with
 * uniformly random actions and prints each episode's return. A random LunarLander agent scores about
 * -200 on average (the env is solved at 200).
 *
 * <p>Usage: {@code RandomAgentExample [host:port] [env-id] [episodes] [seed]}
 */
public final class RandomAgentExample {

    private RandomAgentExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        String target = args.length > 0 ? args[0] : "localhost:50051";
        String envId = args.length > 1 ? args[1] : "LunarLander-v3";
        int episodes = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 0;

        ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
        try {
            GetServerInfoResponse info = EnvServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getServerInfo(GetServerInfoRequest.newBuilder().setClientProtocolVersion("1.0").build());
            if (info.getProtocolMajor() != 1) {
                System.err.println("server speaks protocol " + info.getProtocolVersion() + "; this client needs 1.x");
                System.exit(2);
            }
            System.out.println("connected to gymrpc " + info.getServerVersion() + " at " + target
                    + " (protocol " + info.getProtocolVersion() + ")");
            SplittableRandom rng = new SplittableRandom(seed);
            try (RemoteEnv<?> env = RemoteEnv.make(channel, envId, Map.of())) {
                System.out.println(envId + ": observations " + env.observationSpace() + ", actions " + env.actionSpace());
                double sum = 0;
                for (int ep = 0; ep < episodes; ep++) {
                    Reset r = env.reset(seed + ep, Map.of());
                    double ret = 0;
                    int steps = 0;
                    Step s;
                    do {
                        s = env.stepObject(env.actionSpace().sample(rng));
                        ret += s.reward();
                        steps++;
                    } while (!s.done());
                    sum += ret;
                    System.out.printf("episode %d: return %8.2f in %4d steps (%s)%n", ep, ret, steps,
                            s.terminated() ? "terminated" : "truncated");
                    if (r.observation().length == 0) {
                        throw new IllegalStateException("empty observation");
                    }
                }
                System.out.printf("mean return over %d episodes: %.2f%n", episodes, sum / episodes);
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
