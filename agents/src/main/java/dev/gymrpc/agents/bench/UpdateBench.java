package dev.gymrpc.agents.bench;

import dev.gymrpc.agents.ActionHead;
import dev.gymrpc.agents.Augmentations;
import dev.gymrpc.agents.csac.ContinuousSac;
import dev.gymrpc.agents.csac.ContinuousSacConfig;
import dev.gymrpc.agents.buffer.ReplayBuffer;
import dev.gymrpc.agents.nn.Mlp;
import dev.gymrpc.agents.nn.Nd4jRuntime;
import dev.gymrpc.agents.ppo.PpoConfig;
import dev.gymrpc.agents.ppo.Ppo;
import dev.gymrpc.agents.ppo.Rollout;
import dev.gymrpc.agents.sac.DiscreteSac;
import dev.gymrpc.agents.sac.SacConfig;
import dev.gymrpc.agents.util.Rng;
import dev.gymrpc.agents.Policy;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Timing of the hot paths, comparable with {@code agents/bench/torch_reference.py} (same shapes, one
 * thread): a full Discrete SAC update (batch 256, hidden [256], obs 8, 4 actions: both critics, actor,
 * temperature, Polyak), a full continuous SAC update (batch 256, hidden [256, 256], obs 8, 2 action
 * dimensions), one PPO epoch (2048 samples, minibatch 64, [64,64]), one MLP forward/backward,
 * and single-observation actions.
 *
 * <pre>java -cp ... dev.gymrpc.agents.bench.UpdateBench [seconds-per-case]</pre>
 */
public final class UpdateBench {

    private UpdateBench() {
    }

    public static void main(String[] args) {
        double secs = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        Nd4jRuntime.init();
        System.out.println("nd4j threads " + Nd4j.getEnvironment().maxThreads() + ", master " + Nd4j.getEnvironment().maxMasterThreads());
        int obs = 8;
        int na = 4;
        Rng rng = new Rng(1);

        // Pieces: one MLP 8-256-4 at batch 256.
        Mlp mlp = new Mlp(new int[] {obs, 256, na}, Mlp.Init.DDPG_UNIFORM, rng);
        Mlp.Tape tape = mlp.newTape();
        float[] xs = new float[256 * obs];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) rng.nextGaussian();
        }
        Mlp.Input x = new Mlp.Input(obs, 256).fill(xs);
        float[] d = new float[256 * na];
        java.util.Arrays.fill(d, 0.001f);
        time("mlp forward 8-256-4 b256", secs, () -> mlp.forward(x, tape));
        time("mlp forward+backward 8-256-4 b256", secs, () -> {
            mlp.forward(x, tape);
            mlp.backward(tape, d);
        });

        for (Augmentations aug : List.of(Augmentations.NONE, Augmentations.NONE.withGrokfast(true).withGrade(true))) {
            SacConfig cfg = SacConfig.lunarLander().withAugmentations(aug);
            DiscreteSac sac = new DiscreteSac(cfg, obs, na, new Rng(2));
            ReplayBuffer buf = new ReplayBuffer(10_000, obs);
            Rng r = new Rng(3);
            float[] o = new float[obs];
            for (int i = 0; i < 10_000; i++) {
                for (int k = 0; k < obs; k++) {
                    o[k] = (float) r.nextGaussian();
                }
                buf.add(o, r.nextInt(na), (float) r.nextGaussian(), o, r.nextDouble() < 0.01);
            }
            time("SAC full update b256 [256] " + label(aug), secs, () -> sac.update(buf, r));
        }

        // Continuous SAC at LunarLanderContinuous-v3's shapes: obs 8, 2 action dimensions, [256, 256], batch 256.
        for (Augmentations aug : List.of(Augmentations.NONE, Augmentations.NONE.withGrokfast(true).withGrade(true))) {
            ContinuousSacConfig cfg = ContinuousSacConfig.lunarLanderContinuous().withAugmentations(aug);
            ActionHead head = ActionHead.squashedGaussian(dev.gymrpc.envs.Box.uniform(-1f, 1f, new int[] {2},
                    dev.gymrpc.envs.DType.FLOAT32));
            ContinuousSac csac = new ContinuousSac(cfg, obs, head, new Rng(2));
            ReplayBuffer cbuf = new ReplayBuffer(10_000, obs, 2);
            Rng r = new Rng(3);
            float[] o = new float[obs];
            float[] ca = new float[2];
            for (int i = 0; i < 10_000; i++) {
                for (int k = 0; k < obs; k++) {
                    o[k] = (float) r.nextGaussian();
                }
                ca[0] = (float) (2 * r.nextDouble() - 1);
                ca[1] = (float) (2 * r.nextDouble() - 1);
                cbuf.add(o, ca, (float) r.nextGaussian(), o, r.nextDouble() < 0.01);
            }
            time("SAC-continuous update b256 [256,256] " + label(aug), secs, () -> csac.update(cbuf, r));
        }

        PpoConfig pc = PpoConfig.lunarLanderTuned().withRollout(2, 1024, 64, 1);
        Ppo ppo = new Ppo(pc, obs, na, new Rng(4));
        int n = 2048;
        Rng r = new Rng(5);
        float[] ob = new float[n * obs];
        int[] act = new int[n];
        float[] lp = new float[n];
        float[] val = new float[n];
        float[] adv = new float[n];
        float[] ret = new float[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < obs; k++) {
                ob[i * obs + k] = (float) r.nextGaussian();
            }
            act[i] = r.nextInt(na);
            lp[i] = (float) Math.log(0.25);
            adv[i] = (float) r.nextGaussian();
            ret[i] = (float) r.nextGaussian();
        }
        Rollout ro = new Rollout(n, obs, ob, act, lp, val, adv, ret);
        time("PPO epoch 2048 samples mb64 [64,64]", secs, () -> ppo.update(ro, r));

        Policy pol = new Policy(SacConfig.lunarLander(), "LunarLander-v3", Map.of(), 1, new int[] {obs, 256, na},
                new DiscreteSac(SacConfig.lunarLander(), obs, na, new Rng(6)).actor().paramsCopy(),
                dev.gymrpc.agents.ActionHead.categorical(new dev.gymrpc.envs.Discrete(na)), Map.of());
        float[] one = new float[obs];
        int[] sink = {0};
        time("single-obs action (sampled) [256]", secs, () -> sink[0] += pol.act(one, false));
        time("single-obs action (argmax) [256]", secs, () -> sink[0] += pol.act(one, true));
        System.out.println("sink " + sink[0]);
    }

    private static String label(Augmentations a) {
        return a.grokfast() || a.grade() ? "+grokfast+grade" : "plain";
    }

    private static void time(String name, double secs, Runnable body) {
        long warmEnd = System.nanoTime() + (long) (0.3 * secs * 1e9);
        while (System.nanoTime() < warmEnd) {
            body.run();
        }
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long p0 = os.getProcessCpuTime();
        long end = System.nanoTime() + (long) (secs * 1e9);
        long t0 = System.nanoTime();
        long c0 = mx.getCurrentThreadCpuTime();
        long n = 0;
        while (System.nanoTime() < end) {
            body.run();
            n++;
        }
        double us = (System.nanoTime() - t0) / 1e3 / n;
        double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / n;
        double proc = (os.getProcessCpuTime() - p0) / 1e3 / n;
        // On a shared, loaded machine CPU time is the fairer number: "cpu" is this thread's, "proc" the
        // whole process's (all threads, GC, JIT), comparable with Python's time.process_time().
        System.out.printf("%-45s wall %10.1f us   cpu %10.1f us   proc %10.1f us  (%d iters)%n", name, us, cpu, proc, n);
    }
}
