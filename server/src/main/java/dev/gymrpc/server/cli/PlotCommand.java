package dev.gymrpc.server.cli;

import dev.gymrpc.server.ServerConfig;
import dev.gymrpc.server.store.LearningCurves;
import dev.gymrpc.server.store.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gymrpc plot}: learning curves from the store's metrics CSVs as a PNG, with the mean and 95%
 * confidence band across seeds, like the paper's figures.
 */
@Command(name = "plot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Plot learning curves from the store as a PNG: per group the mean across seeds and its 95%% "
                + "confidence band (Student t). Reads <store>/jobs/<id>/metrics.csv (training jobs) or "
                + "<store>/jobs/<id>/runs/*/seed-*/metrics.csv (benchmarks).",
                "Training jobs are grouped by label without its trailing ' seed N', so runs of several seeds of one "
                        + "variant share a band.",
                "Examples:",
                "  gymrpc plot --benchmark job-5f3a9c21 --metric charts/discounted_return --smooth 20 --out fourrooms.png",
                "  gymrpc plot --job job-11111111 --job job-22222222 --x step --out curves.png"})
final class PlotCommand implements Callable<Integer> {

    @Option(names = "--job", paramLabel = "ID", description = "Training job to plot (repeatable).")
    List<String> jobs = new ArrayList<>();

    @Option(names = "--benchmark", paramLabel = "ID", description = "Benchmark job: one curve per variant over its seeds.")
    String benchmark;

    @Option(names = "--store", defaultValue = ServerConfig.DEFAULT_STORE, paramLabel = "DIR",
            description = "The store to read (default: ${DEFAULT-VALUE}).")
    Path store;

    @Option(names = "--metric", defaultValue = "charts/episodic_return", description = "Metric to plot, e.g. "
            + "charts/episodic_return, charts/discounted_return, eval/mean_reward, losses/qf1_loss, grad/critic_norm "
            + "(default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(names = "--x", defaultValue = "episode", paramLabel = "episode|step",
            description = "x axis: the metric's row index (episode for episode metrics) or environment steps (binned) "
                    + "(default: ${DEFAULT-VALUE}).")
    String x;

    @Option(names = "--smooth", defaultValue = "1", paramLabel = "N",
            description = "Trailing moving average over N points per run before averaging seeds (default: ${DEFAULT-VALUE}).")
    int smooth;

    @Option(names = "--bins", defaultValue = "100", description = "Number of step bins with --x step (default: ${DEFAULT-VALUE}).")
    int bins;

    @Option(names = "--title", description = "Figure title (default: the env and metric).")
    String title;

    @Option(names = "--size", defaultValue = "1000x600", paramLabel = "WxH", description = "Image size in pixels (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.png", description = "Output PNG file.")
    Path out;

    @Override
    public Integer call() throws Exception {
        return CliErrors.run(this::plot);
    }

    private int plot() throws Exception {
        if (jobs.isEmpty() == (benchmark == null)) {
            throw new IllegalArgumentException("plot needs either --job ID (repeatable) or --benchmark ID");
        }
        LearningCurves.XAxis axis = switch (x.toLowerCase()) {
            case "episode", "episodes" -> LearningCurves.XAxis.EPISODE;
            case "step", "steps" -> LearningCurves.XAxis.STEP;
            default -> throw new IllegalArgumentException("--x must be episode or step, got " + x);
        };
        String[] wh = size.toLowerCase().split("x");
        if (wh.length != 2) {
            throw new IllegalArgumentException("--size must look like 1000x600, got " + size);
        }
        int width = Integer.parseInt(wh[0]);
        int height = Integer.parseInt(wh[1]);
        if (width < 200 || height < 150 || width > 8000 || height > 8000) {
            throw new IllegalArgumentException("--size must be between 200x150 and 8000x8000, got " + size);
        }
        if (!java.nio.file.Files.isDirectory(store.resolve("jobs"))) {
            throw new IllegalArgumentException("no store at " + store.toAbsolutePath() + " (pass --store DIR)");
        }
        System.setProperty("java.awt.headless", "true");
        Store s = Store.open(store);
        List<LearningCurves.Run> runs = benchmark != null ? LearningCurves.ofBenchmark(s, benchmark)
                : LearningCurves.ofTrainingJobs(s, jobs);
        List<LearningCurves.Curve> curves = LearningCurves.aggregate(runs, metric, axis, smooth, bins);
        if (curves.isEmpty() || curves.stream().allMatch(c -> c.x().length == 0)) {
            throw new IllegalArgumentException("no '" + metric + "' values in the selected runs (" + runs.size()
                    + " runs); metric names are in the CSVs' name column");
        }
        String t = title != null ? title : metric + (benchmark != null ? " — benchmark " + benchmark : "");
        String xl = axis == LearningCurves.XAxis.STEP ? "environment steps" : metric.startsWith("charts/") ? "episode" : "update";
        CurvePlot.write(CurvePlot.render(curves, t, xl, metric + " (mean, 95% CI)", width, height), out);
        for (LearningCurves.Curve c : curves) {
            int last = c.x().length - 1;
            System.out.printf("%-28s n=%d  final %s: %.4g  [%.4g, %.4g]%n", c.group(), c.runs(), metric,
                    c.mean()[last], c.low()[last], c.high()[last]);
        }
        System.out.println("wrote " + out.toAbsolutePath());
        return 0;
    }
}
