package dev.gymrpc.bench;

import dev.gymrpc.envs.AutoresetMode;
import dev.gymrpc.envs.Discrete;
import dev.gymrpc.envs.Env;
import dev.gymrpc.envs.EnvRegistry;
import dev.gymrpc.envs.Step;
import dev.gymrpc.envs.VectorEnv;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Env steps per second with uniformly random actions, resetting at episode ends: the same loop as the
 * reference measurement of Gymnasium's Python LunarLander-v3 ({@code gym.make}, random actions, one core).
 * Run with {@code ./gymrpc bench envs}, which prints the figures and their ratios to the references.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EnvStepBenchmark {

    /** One env stepped on the benchmark thread. */
    @State(Scope.Thread)
    public static class Single {
        @Param({"FourRooms-v0", "CartPole-v1", "LunarLander-v3", "LunarLanderContinuous-v3"})
        public String envId;

        Env<?> env;
        SplittableRandom rng;
        int n;

        @Setup(Level.Trial)
        public void setUp() {
            env = EnvRegistry.standard().make(envId);
            env.reset(0L, Map.of());
            rng = new SplittableRandom(0);
            n = env.actionSpace() instanceof Discrete d ? d.n() : -1;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            env.close();
        }
    }

    @Benchmark
    public Object step(Single s) {
        Step r = s.n > 0 ? s.env.stepObject(s.rng.nextInt(s.n)) : s.env.stepObject(s.env.actionSpace().sample(s.rng));
        if (r.terminated() || r.truncated()) {
            s.env.reset();
        }
        return r;
    }

    public static final int VECTOR_N = 64;

    /** A vector env of {@value #VECTOR_N} LunarLanders stepped with 1 or more worker threads. */
    @State(Scope.Thread)
    public static class Vector {
        @Param({"LunarLander-v3"})
        public String envId;

        @Param({"1", "2"})
        public int threads;

        VectorEnv<?> vec;
        List<Integer> actions;
        SplittableRandom rng;

        @Setup(Level.Trial)
        public void setUp() {
            vec = VectorEnv.make(EnvRegistry.standard(), envId, VECTOR_N, Map.of(), AutoresetMode.NEXT_STEP, threads);
            vec.reset(0L);
            rng = new SplittableRandom(0);
            actions = new ArrayList<>(VECTOR_N);
            for (int i = 0; i < VECTOR_N; i++) {
                actions.add(0);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            vec.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(VECTOR_N)
    @SuppressWarnings("unchecked")
    public Object vectorStep(Vector v) {
        for (int i = 0; i < VECTOR_N; i++) {
            v.actions.set(i, v.rng.nextInt(4));
        }
        return ((VectorEnv<Integer>) v.vec).step(v.actions);
    }

    /**
     * Per-env-step cost of a vector env of 1 and of {@value #VECTOR_N} LunarLanders on one thread: each
     * invocation takes {@value #VECTOR_N} env-steps ({@value #VECTOR_N} batches of one, or one batch of
     * {@value #VECTOR_N}), so the two figures compare directly and their ratio shows what the number of
     * worlds alone costs (allocation, cache).
     */
    @State(Scope.Thread)
    public static class Scaling {
        @Param({"LunarLander-v3"})
        public String envId;

        @Param({"1", "64"})
        public int numEnvs;

        VectorEnv<Integer> vec;
        List<Integer> actions;
        SplittableRandom rng;

        @Setup(Level.Trial)
        @SuppressWarnings("unchecked")
        public void setUp() {
            vec = (VectorEnv<Integer>) VectorEnv.make(EnvRegistry.standard(), envId, numEnvs, Map.of(),
                    AutoresetMode.NEXT_STEP, 1);
            vec.reset(0L);
            rng = new SplittableRandom(0);
            actions = new ArrayList<>(numEnvs);
            for (int i = 0; i < numEnvs; i++) {
                actions.add(0);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            vec.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(VECTOR_N)
    public void vectorScaling(Scaling v, Blackhole bh) {
        for (int b = 0; b < VECTOR_N / v.numEnvs; b++) {
            for (int i = 0; i < v.numEnvs; i++) {
                v.actions.set(i, v.rng.nextInt(4));
            }
            bh.consume(v.vec.step(v.actions));
        }
    }
}
