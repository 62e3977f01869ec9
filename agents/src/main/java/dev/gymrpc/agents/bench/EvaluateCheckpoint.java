package dev.gymrpc.agents.bench;

import dev.gymrpc.agents.Budget;
import dev.gymrpc.agents.EvalResult;
import dev.gymrpc.agents.Evaluator;
import dev.gymrpc.agents.Trainer;
import dev.gymrpc.agents.io.StateBag;
import dev.gymrpc.envs.EnvRegistry;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Evaluates the policy in a training checkpoint (e.g. a server job's {@code checkpoints/step-*.ckpt},
 * also of a cancelled job, which stores no model) greedily on the run's env, without training:
 *
 * <pre>
 * java ... dev.gymrpc.agents.bench.EvaluateCheckpoint CKPT [EPISODES=100] [SEED=12345] [THRESHOLD=200]
 * </pre>
 * Episode i resets with SEED + i. Prints the env steps of the checkpoint, mean and standard deviation of
 * the return and the fraction of episodes with a return of at least THRESHOLD.
 */
public final class EvaluateCheckpoint {

    private EvaluateCheckpoint() {
    }

    public static void main(String[] a) throws Exception {
        if (a.length < 1) {
            System.err.println("usage: EvaluateCheckpoint CKPT [EPISODES=100] [SEED=12345] [THRESHOLD=200]");
            System.exit(2);
        }
        Path ck = Path.of(a[0]);
        int episodes = a.length > 1 ? Integer.parseInt(a[1]) : 100;
        long seed = a.length > 2 ? Long.parseLong(a[2]) : 12345;
        double threshold = a.length > 3 ? Double.parseDouble(a[3]) : 200;
        StateBag bag = StateBag.read(ck);
        long steps = bag.getLong("env_steps");
        String envId = (String) bag.get("envId");
        @SuppressWarnings("unchecked")
        Map<String, Object> options = (Map<String, Object>) bag.get("envOptions");
        // Resuming with the budget already spent restores the agent and returns its policy untouched.
        Trainer.TrainResult r = Trainer.resume(ck, Budget.steps(steps), null, null, null);
        EvalResult e = Evaluator.evaluate(r.policy(), EnvRegistry.standard(), envId, options, episodes, seed, true,
                () -> false);
        System.out.printf(Locale.ROOT, "%s: %s at %d env steps, greedy over %d episodes (seeds %d+): mean %.1f, "
                + "std %.1f, fraction >= %.0f: %.2f%n", ck, envId, steps, episodes, seed, e.mean(), e.std(), threshold,
                e.successRate(threshold));
    }
}
