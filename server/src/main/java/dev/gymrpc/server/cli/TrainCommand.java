package dev.gymrpc.server.cli;

import dev.gymrpc.proto.v1.Augmentations;
import dev.gymrpc.proto.v1.EvaluationSchedule;
import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.ResumeJobRequest;
import dev.gymrpc.proto.v1.StartTrainingRequest;
import dev.gymrpc.proto.v1.TrainingSpec;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gymrpc train}: one training run, in this process over the local store or as a job on a server,
 * with a live progress line on stderr. Unset hyperparameters come from the preset; {@code --set} changes
 * any of them.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train an agent (any algorithm: see the list below, or `gymrpc algorithms`) on an environment,"
                + " locally (store: --store) or on a server (--server), with a progress bar and the live return and"
                + " losses on stderr. Prints the job id and model id.",
                "Examples:",
                "  gymrpc train --algo sac --env FourRooms-v0 --grokfast --seed 1 --episodes 1000",
                "  gymrpc train --algo ppo --env LunarLander-v3 --grade --seed 0 --episodes 1500 --server localhost:50051",
                "  gymrpc train --algo sac --env FourRooms-v0 --steps 20000 --set hidden_sizes=64 --set learning_starts=1000",
                "  gymrpc train --algo sac-continuous --env LunarLanderContinuous-v3 --steps 500000 --set tau=0.01",
                "  gymrpc train --algo sac --env FourRooms-v0 --episodes 300 --grokfast --grad-diagnostics 100",
                "  gymrpc train --resume job-5f3a9c21"})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--algo", paramLabel = "NAME", description = "Algorithm by name, e.g. ppo, sac (Discrete SAC), "
            + "sac-continuous, soft-ppo; the list below has each one's config fields.")
    String algo;

    @Option(names = "--env", paramLabel = "ID", description = "Environment id, e.g. FourRooms-v0, LunarLander-v3, CartPole-v1.")
    String env;

    @Option(names = "--preset", paramLabel = "NAME", description = "Hyperparameter preset of the algorithm (listed below). "
            + "Default: the algorithm's preset for the env.")
    String preset;

    @Option(names = "--grokfast", description = "Grokfast-EMA gradient filter (alpha 0.98, lambda 2.0 unless --set).")
    boolean grokfast;

    @Option(names = "--grade", description = "GrAdE gradient-adaptive entropy bonus on the actor.")
    boolean grade;

    @Option(names = "--grad-clip", paramLabel = "NORM", description = "Clip each network's gradient to this global L2 norm.")
    Double gradClip;

    @Option(names = "--weight-decay", paramLabel = "WD", description = "Decoupled weight decay per optimizer step.")
    Double weightDecay;

    @Option(names = "--seed", defaultValue = "0", description = "Run seed: networks, exploration and envs (default: ${DEFAULT-VALUE}).")
    long seed;

    static final class Budget {
        @Option(names = "--steps", paramLabel = "N", description = "Train for N environment steps.")
        Long steps;

        @Option(names = "--episodes", paramLabel = "N", description = "Train for N episodes.")
        Integer episodes;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Budget budget;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Set a config field of the algorithm by its "
            + "name, e.g. gamma=0.98, hidden_sizes=64,64, learning_starts=1000, advantage=gae, "
            + "augmentations.grokfast_lambda=5 (repeatable; the fields of each algorithm are listed below).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--env-option", paramLabel = "NAME=VALUE", description = "Environment option, e.g. slip_prob=0.1, "
            + "max_episode_steps=200 (repeatable).")
    Map<String, String> envOptions = new LinkedHashMap<>();

    @Option(names = "--eval-every-episodes", paramLabel = "N", description = "Evaluate the greedy policy every N episodes.")
    Integer evalEveryEpisodes;

    @Option(names = "--eval-every-steps", paramLabel = "N", description = "Evaluate the greedy policy every N steps.")
    Long evalEverySteps;

    @Option(names = "--eval-episodes", paramLabel = "N", description = "Episodes per periodic evaluation (default 5).")
    Integer evalEpisodes;

    @Option(names = "--final-eval-episodes", paramLabel = "N", description = "Episodes of the final evaluation stored "
            + "with the model (default 10; 0 = none).")
    Integer finalEvalEpisodes;

    @Option(names = "--stop-at-return", paramLabel = "R", description = "Stop (succeeded, model stored) at the first "
            + "periodic evaluation with mean return >= R, e.g. 200 on LunarLander; needs --eval-every-steps or "
            + "--eval-every-episodes.")
    Double stopAtReturn;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS", description = "Checkpoint interval in steps "
            + "(default: 1/20 of a step budget).")
    Long checkpointEvery;

    @Option(names = "--grad-diagnostics", paramLabel = "EVERY[,M[,L]]", description = "Gradient-quality diagnostics "
            + "every EVERY updates (any algorithm; off by default): M independent minibatch gradients (default 8) and a "
            + "large-batch gradient from L more (default 16) per network, streamed as gradq/* metrics (pairwise and "
            + "large-batch cosines, relative variance, alignment of the applied step); plot with 'gymrpc plot --metric "
            + "gradq/critic_pairwise_cos'. Does not change the training; costs about M+L gradient evaluations per network "
            + "per measurement.")
    String gradDiagnostics;

    @Option(names = "--label", description = "Label for listings and plots (default: derived, e.g. 'sac+grokfast FourRooms-v0 seed 1').")
    String label;

    @Option(names = "--resume", paramLabel = "JOB", description = "Resume an INTERRUPTED or CANCELLED job from its "
            + "last checkpoint instead of starting a new one (other training options are ignored).")
    String resume;

    @Option(names = "--detach", description = "With --server: start the job, print its id and return without watching.")
    boolean detach;

    @Option(names = {"-q", "--quiet"}, description = "No progress line; only state changes and the result.")
    boolean quiet;

    @Mixin
    ConnectionOptions connection;

    /** {@code EVERY[,M[,L]]} as the proto message (ranges are checked by the server, naming the field). */
    static dev.gymrpc.proto.v1.GradientDiagnostics gradDiagnostics(String text) {
        String[] p = text.split(",");
        if (p.length > 3) {
            throw new IllegalArgumentException("--grad-diagnostics expects EVERY[,M[,L]], got '" + text + "'");
        }
        int[] v = new int[3];
        try {
            for (int i = 0; i < p.length; i++) {
                v[i] = Integer.parseInt(p[i].trim());
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--grad-diagnostics expects EVERY[,M[,L]] of integers, got '" + text + "'");
        }
        return dev.gymrpc.proto.v1.GradientDiagnostics.newBuilder().setEvery(v[0]).setMinibatches(v[1]).setLargeBatch(v[2]).build();
    }

    TrainingSpec spec() {
        if (algo == null || env == null || budget == null) {
            throw new IllegalArgumentException("train needs --algo, --env and --steps or --episodes (or --resume JOB)");
        }
        TrainingSpec.Builder s = TrainingSpec.newBuilder().setAlgorithmName(algo.trim().toLowerCase(Locale.ROOT))
                .setEnvId(env).setSeed(seed);
        if (preset != null) {
            s.setPreset(preset);
        }
        if (budget.steps != null) {
            s.setTotalSteps(budget.steps);
        } else {
            s.setTotalEpisodes(budget.episodes);
        }
        ConfigOverrides.apply(s, set);
        envOptions.forEach((k, v) -> s.putEnvOptions(k, ConfigOverrides.envValue(v)));
        Augmentations.Builder aug = Augmentations.newBuilder();
        if (grokfast) {
            aug.setGrokfast(true);
        }
        if (grade) {
            aug.setGrade(true);
        }
        if (gradClip != null) {
            aug.setGradClip(gradClip);
        }
        if (weightDecay != null) {
            aug.setWeightDecay(weightDecay);
        }
        s.setAugmentations(aug);
        EvaluationSchedule.Builder ev = EvaluationSchedule.newBuilder();
        if (evalEveryEpisodes != null) {
            ev.setEveryEpisodes(evalEveryEpisodes);
        }
        if (evalEverySteps != null) {
            ev.setEverySteps(evalEverySteps);
        }
        if (evalEpisodes != null) {
            ev.setEpisodes(evalEpisodes);
        }
        if (finalEvalEpisodes != null) {
            ev.setFinalEpisodes(finalEvalEpisodes);
        }
        if (stopAtReturn != null) {
            ev.setStopAtMeanReturn(stopAtReturn);
        }
        s.setEvaluation(ev);
        if (checkpointEvery != null) {
            s.setCheckpointEverySteps(checkpointEvery);
        }
        if (gradDiagnostics != null) {
            s.setGradDiagnostics(gradDiagnostics(gradDiagnostics));
        }
        return s.build();
    }

    @Override
    public Integer call() throws Exception {
        return CliErrors.run(this::train);
    }

    private int train() throws Exception {
        try (AgentConnection conn = connection.open(1)) {
            Job job;
            if (resume != null) {
                job = conn.blocking().resumeJob(ResumeJobRequest.newBuilder().setJobId(resume).build());
            } else {
                StartTrainingRequest.Builder req = StartTrainingRequest.newBuilder().setSpec(spec());
                if (label != null) {
                    req.setLabel(label);
                }
                job = conn.blocking().startTraining(req.build());
            }
            System.err.println("job " + job.getJobId() + " (" + job.getLabel() + ") on " + conn.where());
            if (detach && !conn.isLocal()) {
                System.out.println(job.getJobId());
                return 0;
            }
            Thread hook = null;
            if (conn.isLocal()) {
                String id = job.getJobId();
                hook = new Thread(() -> {
                    System.err.println("\ngymrpc: stopping; the job is INTERRUPTED and resumes with: gymrpc train --resume "
                            + id + " --store " + connection.store);
                    conn.close();
                }, "gymrpc-train-stop");
                Runtime.getRuntime().addShutdownHook(hook);
            }
            Job end = new JobFollower(conn.blocking(), System.err, quiet).follow(job.getJobId(), job.getEventCount());
            if (hook != null) {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            System.out.println("job " + end.getJobId() + " " + end.getState().name().replace("JOB_STATE_", "")
                    + (end.getReason().isEmpty() ? "" : ": " + end.getReason()));
            System.out.println("steps " + end.getProgress().getGlobalStep() + ", episodes " + end.getProgress().getEpisodes()
                    + ", mean return (last 100 episodes) " + String.format("%.2f", end.getProgress().getMeanEpisodeReturn()));
            if (JobFollower.ok(end)) {
                System.out.println("model " + end.getModelId());
                return 0;
            }
            return 1;
        }
    }
}
