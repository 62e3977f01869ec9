package dev.gymrpc.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.proto.v1.AdvantageEstimator;
import dev.gymrpc.proto.v1.BenchmarkScore;
import dev.gymrpc.proto.v1.RunBenchmarkRequest;
import dev.gymrpc.proto.v1.TrainingSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The agent commands end to end in this JVM: train locally on a temp store, evaluate the model, plot two
 * seeds as a PNG, a tiny bench agents table, and the option mapping and error messages.
 */
class AgentCommandsTest {

    @TempDir
    Path tmp;

    /** Exit code, stdout and stderr of one command line. */
    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.commandLine().execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static final String[] TINY = {"--set", "hidden_sizes=16", "--set", "learning_starts=50", "--set",
        "batch_size=16", "--set", "buffer_size=1000", "--env-option", "max_episode_steps=30", "--final-eval-episodes", "2"};

    private Run train(long seed) {
        List<String> a = new java.util.ArrayList<>(List.of("train", "--algo", "sac", "--env", "FourRooms-v0", "--seed",
                String.valueOf(seed), "--steps", "300", "--store", tmp.resolve("store").toString(), "-q"));
        a.addAll(List.of(TINY));
        return run(a.toArray(String[]::new));
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), () -> "no match for " + regex + " in:\n" + text);
        return m.group(1);
    }

    @Test
    void trainEvaluatePlotLocally() throws Exception {
        Run a = train(1);
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().contains("SUCCEEDED"), a.out());
        String model = group(a.out(), "model (model-[0-9a-f]{8})");
        String jobA = group(a.out(), "job (job-[0-9a-f]{8}) SUCCEEDED");
        Run b = train(2);
        assertEquals(0, b.code(), b.err());
        String jobB = group(b.out(), "job (job-[0-9a-f]{8}) SUCCEEDED");

        Run ev = run("evaluate", "--model", model, "--episodes", "3", "--seed", "5", "--store", tmp.resolve("store").toString());
        assertEquals(0, ev.code(), ev.err());
        assertTrue(ev.out().contains("mean return"), ev.out());
        assertEquals(3, ev.out().lines().filter(l -> l.matches("^[0-2] .*")).count(), ev.out());
        Run byJob = run("evaluate", "--model", jobA, "--episodes", "1", "--store", tmp.resolve("store").toString());
        assertEquals(0, byJob.code(), byJob.err());
        Run list = run("evaluate", "--store", tmp.resolve("store").toString());
        assertTrue(list.out().contains(model), list.out());

        Path png = tmp.resolve("curves.png");
        Run plot = run("plot", "--job", jobA, "--job", jobB, "--store", tmp.resolve("store").toString(), "--out",
                png.toString(), "--size", "800x500");
        assertEquals(0, plot.code(), plot.err());
        assertTrue(plot.out().contains("n=2"), "both seeds in one group: " + plot.out());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(800, img.getWidth());
        assertEquals(500, img.getHeight());
        assertTrue(countColoured(img) > 500, "the curve and its band are drawn");
        Run stepPlot = run("plot", "--job", jobA, "--store", tmp.resolve("store").toString(), "--x", "step",
                "--metric", "losses/qf1_loss", "--out", tmp.resolve("loss.png").toString());
        assertEquals(0, stepPlot.code(), stepPlot.err());
    }

    @Test
    void jobsListShowFollowAndClearErrors() {
        Run a = train(3);
        assertEquals(0, a.code(), a.err());
        String job = group(a.out(), "job (job-[0-9a-f]{8}) SUCCEEDED");
        String store = tmp.resolve("store").toString();

        Run list = run("jobs", "list", "--store", store);
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith(job) && l.contains("succeeded")
                && l.contains("sac on FourRooms-v0 seed 3")), list.out());
        Run running = run("jobs", "list", "--state", "running", "--store", store);
        assertEquals(0, running.code(), running.err());
        assertFalse(running.out().contains(job), running.out());

        Run show = run("jobs", "show", job, "--store", store);
        assertEquals(0, show.code(), show.err());
        assertTrue(show.out().contains(job + " (training): succeeded"), show.out());
        assertTrue(show.out().contains("model:    model-"), show.out());

        Run follow = run("jobs", "follow", job, "--store", store);
        assertEquals(0, follow.code(), "a finished job is shown at once: " + follow.err());
        assertTrue(follow.out().contains("succeeded"), follow.out());

        Run badState = run("jobs", "list", "--state", "done", "--store", store);
        assertEquals(2, badState.code(), badState.err());
        assertTrue(badState.err().contains("--state must be one of queued, running, succeeded"), badState.err());
        Run missing = run("jobs", "show", "job-00000000", "--store", store);
        assertFalse(missing.code() == 0);
        assertTrue(missing.err().contains("job-00000000"), missing.err());
        Run cancelDone = run("jobs", "cancel", job, "--store", store);
        assertFalse(cancelDone.code() == 0, "a finished job cannot be cancelled: " + cancelDone.out());
        assertTrue(cancelDone.err().toLowerCase(java.util.Locale.ROOT).contains(job), cancelDone.err());
    }

    /** Pixels that are neither grey nor white: the palette's lines and bands. */
    private static int countColoured(BufferedImage img) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 40) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void benchAgentsPrintsTheTable() {
        Run r = run("bench", "agents", "--env", "FourRooms-v0", "--variants", "sac,sac+grokfast", "--seeds", "2",
                "--steps", "150", "--score", "mean", "--set", "hidden_sizes=16", "--set", "learning_starts=50",
                "--set", "batch_size=16", "--env-option", "max_episode_steps=30", "--final-eval-episodes", "1",
                "--store", tmp.resolve("bench").toString(), "-q");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("95% CI"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("sac+grokfast") && l.contains("  2 ")), r.out());
        String job = group(r.out(), "--benchmark (job-[0-9a-f]{8})");
        Run plot = run("plot", "--benchmark", job, "--store", tmp.resolve("bench").toString(), "--out",
                tmp.resolve("b.png").toString());
        assertEquals(0, plot.code(), plot.err());
        assertTrue(plot.out().contains("sac+grokfast"), plot.out());
    }

    @Test
    void badValuesGiveOneLineErrorsNamingTheField() {
        Run gamma = run("train", "--algo", "sac", "--env", "FourRooms-v0", "--steps", "10", "--set", "gamma=1.5",
                "--store", tmp.resolve("s").toString());
        assertEquals(CliErrors.USAGE, gamma.code());
        assertTrue(gamma.err().contains("INVALID_ARGUMENT: spec.config_values.gamma: must be [0, 1], got 1.5"), gamma.err());
        assertFalse(gamma.err().contains("\tat "), "no stack trace");
        Run typo = run("train", "--algo", "sac", "--env", "FourRooms-v0", "--steps", "10", "--set", "gama=0.9",
                "--store", tmp.resolve("s").toString());
        assertEquals(CliErrors.USAGE, typo.code());
        assertTrue(typo.err().contains("spec.config_values.gama: is not a field of this algorithm's config; valid fields: hidden_sizes, init, gamma"),
                typo.err());
        Run unknownAlgo = run("train", "--algo", "dqn", "--env", "FourRooms-v0", "--steps", "10",
                "--store", tmp.resolve("s").toString());
        assertEquals(CliErrors.USAGE, unknownAlgo.code());
        assertTrue(unknownAlgo.err().contains("'dqn' is unknown; choose one of"), unknownAlgo.err());
        Run noBudget = run("train", "--algo", "sac", "--env", "FourRooms-v0", "--store", tmp.resolve("s").toString());
        assertEquals(CliErrors.USAGE, noBudget.code());
        assertTrue(noBudget.err().contains("--steps or --episodes"), noBudget.err());
        Run unknownModel = run("evaluate", "--model", "model-nope", "--store", tmp.resolve("s").toString());
        assertEquals(CliErrors.USAGE, unknownModel.code());
        assertTrue(unknownModel.err().contains("NOT_FOUND"), unknownModel.err());
        Run noStore = run("plot", "--job", "job-x", "--store", tmp.resolve("absent").toString(), "--out", "x.png");
        assertEquals(CliErrors.USAGE, noStore.code());
        Run unreachable = run("evaluate", "--model", "m", "--server", "127.0.0.1:1");
        assertEquals(1, unreachable.code());
        assertTrue(unreachable.err().contains("UNAVAILABLE") && unreachable.err().contains("gymrpc serve"),
                unreachable.err());
    }

    @Test
    void gradDiagnosticsOptionMapsOntoTheSpec() {
        CommandLine.ParseResult r = Main.commandLine().parseArgs("train", "--algo", "sac", "--env", "FourRooms-v0",
                "--episodes", "5", "--grad-diagnostics", "25");
        TrainingSpec s = ((TrainCommand) r.subcommand().commandSpec().userObject()).spec();
        assertEquals(25, s.getGradDiagnostics().getEvery());
        TrainingSpec resolved = dev.gymrpc.server.agent.SpecResolver.resolve(s, dev.gymrpc.envs.EnvRegistry.standard());
        assertEquals(8, resolved.getGradDiagnostics().getMinibatches(), "the server fills the defaults");
        assertEquals(16, resolved.getGradDiagnostics().getLargeBatch());
        CommandLine.ParseResult full = Main.commandLine().parseArgs("train", "--algo", "ppo", "--env", "CartPole-v1",
                "--episodes", "5", "--grad-diagnostics", "10,4,32");
        TrainingSpec f = ((TrainCommand) full.subcommand().commandSpec().userObject()).spec();
        assertEquals(dev.gymrpc.proto.v1.GradientDiagnostics.newBuilder().setEvery(10).setMinibatches(4).setLargeBatch(32)
                .build(), f.getGradDiagnostics());
        CommandLine.ParseResult none = Main.commandLine().parseArgs("train", "--algo", "ppo", "--env", "CartPole-v1",
                "--episodes", "5");
        assertFalse(((TrainCommand) none.subcommand().commandSpec().userObject()).spec().hasGradDiagnostics());
        CommandLine.ParseResult bad = Main.commandLine().parseArgs("train", "--algo", "ppo", "--env", "CartPole-v1",
                "--episodes", "5", "--grad-diagnostics", "often");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ((TrainCommand) bad.subcommand().commandSpec().userObject()).spec());
        assertTrue(e.getMessage().contains("--grad-diagnostics"), e.getMessage());
        assertTrue(run("train", "--help").out().contains("--grad-diagnostics"));
    }

    @Test
    void optionsMapOntoTheSpec() {
        CommandLine.ParseResult r = Main.commandLine().parseArgs("train", "--algo", "ppo", "--env", "CartPole-v1",
                "--episodes", "50", "--grade", "--grad-clip", "0.5", "--seed", "7", "--set", "hidden_sizes=64,64",
                "--set", "advantage=gae", "--set", "gae_lambda=0.95", "--env-option", "sutton_barto_reward=true",
                "--eval-every-episodes", "10", "--preset", "cartpole");
        TrainingSpec s = ((TrainCommand) r.subcommand().commandSpec().userObject()).spec();
        assertEquals("ppo", s.getAlgorithmName());
        assertEquals(50, s.getTotalEpisodes());
        assertEquals(7, s.getSeed());
        assertTrue(s.getAugmentations().getGrade());
        assertFalse(s.getAugmentations().hasGrokfast(), "unset flags stay unset: the preset decides");
        assertEquals(0.5, s.getAugmentations().getGradClip());
        // --set values travel as text; the server's schema parses and range-checks them.
        assertEquals("64,64", s.getConfigValuesOrThrow("hidden_sizes").getStringValue());
        assertEquals("gae", s.getConfigValuesOrThrow("advantage").getStringValue());
        assertEquals("0.95", s.getConfigValuesOrThrow("gae_lambda").getStringValue());
        assertFalse(s.containsConfigValues("gamma"));
        TrainingSpec resolved = dev.gymrpc.server.agent.SpecResolver.resolve(s, dev.gymrpc.envs.EnvRegistry.standard());
        assertEquals(List.of(64, 64), resolved.getPpo().getHiddenSizesList());
        assertEquals(AdvantageEstimator.ADVANTAGE_ESTIMATOR_GAE, resolved.getPpo().getAdvantage());
        assertEquals(0.95, resolved.getPpo().getGaeLambda());
        assertTrue(s.getEnvOptionsOrThrow("sutton_barto_reward").getBoolValue());
        assertEquals(10, s.getEvaluation().getEveryEpisodes());
        assertEquals("cartpole", s.getPreset());

        CommandLine.ParseResult b = Main.commandLine().parseArgs("bench", "agents", "--variants",
                "sac,sac+grokfast+grade,sac+clip1.0+wd0.001", "--seed-list", "3,4", "--episodes", "20", "--score", "last");
        RunBenchmarkRequest req = ((AgentsBenchCommand) b.subcommand().subcommand().commandSpec().userObject()).request();
        assertEquals(3, req.getVariantsCount());
        assertTrue(req.getVariants(1).getSpec().getAugmentations().getGrokfast());
        assertTrue(req.getVariants(1).getSpec().getAugmentations().getGrade());
        assertEquals(1.0, req.getVariants(2).getSpec().getAugmentations().getGradClip());
        assertEquals(0.001, req.getVariants(2).getSpec().getAugmentations().getWeightDecay());
        assertEquals(List.of(3L, 4L), req.getSeedsList());
        assertEquals(BenchmarkScore.BENCHMARK_SCORE_LAST_EPISODES_MEAN, req.getScore());
    }

    @Test
    void serveTakesTheJobOptions() {
        CommandLine.ParseResult r = Main.commandLine().parseArgs("serve", "--workers", "2", "--max-queued-jobs", "0",
                "--resume");
        ServeCommand serve = (ServeCommand) r.subcommand().commandSpec().userObject();
        assertEquals(2, serve.workers);
        assertEquals(0, serve.maxQueuedJobs);
        assertTrue(serve.resume);
        ServeCommand defaults = (ServeCommand) Main.commandLine().parseArgs("serve").subcommand().commandSpec()
                .userObject();
        assertEquals(dev.gymrpc.server.jobs.JobsConfig.DEFAULT_WORKERS, defaults.workers);
        assertEquals(dev.gymrpc.server.jobs.JobsConfig.DEFAULT_MAX_QUEUED, defaults.maxQueuedJobs);
    }

    @Test
    void everyAgentOptionIsExplainedInHelp() {
        CommandLine main = Main.commandLine();
        for (CommandLine cl : List.of(main.getSubcommands().get("train"), main.getSubcommands().get("evaluate"),
                main.getSubcommands().get("plot"), main.getSubcommands().get("bench").getSubcommands().get("agents"))) {
            for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
                assertTrue(o.description().length > 0 && !o.description()[0].isBlank(),
                        cl.getCommandName() + " " + o.longestName() + " has no description");
            }
            Run help = run(cl.getCommandSpec().qualifiedName(" ").replaceFirst("^gymrpc ", "").split(" ")[0].equals("bench")
                    ? new String[] {"bench", "agents", "--help"} : new String[] {cl.getCommandName(), "--help"});
            assertEquals(0, help.code());
        }
    }
}
