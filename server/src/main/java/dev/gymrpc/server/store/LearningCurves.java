package dev.gymrpc.server.store;

import dev.gymrpc.proto.v1.BenchmarkVariant;
import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.JobKind;
import dev.gymrpc.server.jobs.Stats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Learning curves from the store's metrics CSVs, aggregated across seeds the way the paper's figures
 * are: for each x (episode index, or a bin of environment steps) the mean over the runs of a group and
 * the 95% Student-t confidence interval of that mean ({@link Stats}).
 */
public final class LearningCurves {

    private LearningCurves() {
    }

    /** One run's metrics with the group (legend entry) it belongs to. */
    public record Run(String group, long seed, List<MetricsCsv.Row> rows) {
    }

    /** The mean and band of one group: {@code x[i]}, {@code mean[i]}, {@code low[i]}, {@code high[i]}. */
    public record Curve(String group, int runs, double[] x, double[] mean, double[] low, double[] high) {
    }

    /** What the x axis counts. */
    public enum XAxis { EPISODE, STEP }

    /**
     * The runs of training jobs, grouped by label with a trailing {@code " seed N"} removed, so the default
     * labels ("sac+grokfast FourRooms-v0 seed 3") of several seeds fall into one group.
     */
    public static List<Run> ofTrainingJobs(Store store, List<String> jobIds) throws IOException {
        Map<String, Job> jobs = jobsById(store);
        List<Run> runs = new ArrayList<>();
        for (String id : jobIds) {
            Job j = jobs.get(id);
            if (j == null || j.getKind() != JobKind.JOB_KIND_TRAINING) {
                throw new IllegalArgumentException("no training job '" + id + "' in the store " + store.root());
            }
            String group = j.getLabel().replaceAll("\\s+seed\\s+-?\\d+$", "");
            runs.add(new Run(group, j.getTraining().getSeed(), MetricsCsv.read(store.metricsFile(id))));
        }
        return runs;
    }

    /** The runs of a benchmark job, one group per variant. */
    public static List<Run> ofBenchmark(Store store, String jobId) throws IOException {
        Job j = jobsById(store).get(jobId);
        if (j == null || j.getKind() != JobKind.JOB_KIND_BENCHMARK) {
            throw new IllegalArgumentException("no benchmark job '" + jobId + "' in the store " + store.root());
        }
        List<Run> runs = new ArrayList<>();
        for (BenchmarkVariant v : j.getBenchmark().getVariantsList()) {
            for (long seed : j.getBenchmark().getSeedsList()) {
                Path f = store.runDir(jobId, v.getName(), seed).resolve("metrics.csv");
                if (Files.exists(f)) {
                    runs.add(new Run(v.getName(), seed, MetricsCsv.read(f)));
                }
            }
        }
        return runs;
    }

    private static Map<String, Job> jobsById(Store store) throws IOException {
        Map<String, Job> m = new LinkedHashMap<>();
        for (Job j : store.loadJobs()) {
            m.put(j.getJobId(), j);
        }
        return m;
    }

    /**
     * Aggregates {@code metric} per group. Episode axis: value of the metric at each episode index, over the
     * episodes every run of the group has (so each point averages all seeds). Step axis: {@code bins} equal
     * bins from 0 to the largest step; a run's value in a bin is the mean of its rows there, carried forward
     * over empty bins. {@code smooth} > 1 applies a trailing moving average to each run first.
     */
    public static List<Curve> aggregate(List<Run> runs, String metric, XAxis axis, int smooth, int bins) {
        Map<String, List<double[][]>> groups = new LinkedHashMap<>(); // group -> per run {x[], y[]}
        long maxStep = 0;
        for (Run r : runs) {
            for (MetricsCsv.Row row : r.rows()) {
                if (row.name().equals(metric)) {
                    maxStep = Math.max(maxStep, row.globalStep());
                }
            }
        }
        for (Run r : runs) {
            List<MetricsCsv.Row> rows = r.rows().stream().filter(x -> x.name().equals(metric)).toList();
            if (rows.isEmpty()) {
                continue;
            }
            double[] y = rows.stream().mapToDouble(MetricsCsv.Row::value).toArray();
            y = movingAverage(y, smooth);
            double[][] series;
            if (axis == XAxis.EPISODE) {
                double[] x = new double[y.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = i + 1;
                }
                series = new double[][] {x, y};
            } else {
                series = bin(rows, y, maxStep, bins);
            }
            groups.computeIfAbsent(r.group(), k -> new ArrayList<>()).add(series);
        }
        List<Curve> out = new ArrayList<>();
        for (Map.Entry<String, List<double[][]>> g : groups.entrySet()) {
            List<double[][]> rs = g.getValue();
            int len = rs.stream().mapToInt(s -> s[0].length).min().orElse(0);
            double[] x = new double[len];
            double[] mean = new double[len];
            double[] lo = new double[len];
            double[] hi = new double[len];
            for (int i = 0; i < len; i++) {
                double[] v = new double[rs.size()];
                int n = 0;
                for (double[][] s : rs) {
                    if (!Double.isNaN(s[1][i])) {
                        v[n++] = s[1][i];
                    }
                }
                Stats.Summary st = Stats.summarize(java.util.Arrays.copyOf(v, n));
                x[i] = rs.get(0)[0][i];
                mean[i] = st.mean();
                lo[i] = st.ci95Low();
                hi[i] = st.ci95High();
            }
            out.add(new Curve(g.getKey(), rs.size(), x, mean, lo, hi));
        }
        return out;
    }

    static double[] movingAverage(double[] y, int w) {
        if (w <= 1) {
            return y;
        }
        double[] out = new double[y.length];
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += y[i];
            if (i >= w) {
                sum -= y[i - w];
            }
            out[i] = sum / Math.min(i + 1, w);
        }
        return out;
    }

    private static double[][] bin(List<MetricsCsv.Row> rows, double[] y, long maxStep, int bins) {
        double width = Math.max(1.0, (double) maxStep / bins);
        double[] sum = new double[bins];
        int[] count = new int[bins];
        for (int i = 0; i < rows.size(); i++) {
            int b = (int) Math.min(bins - 1, Math.floor(rows.get(i).globalStep() / width));
            sum[b] += y[i];
            count[b]++;
        }
        double[] x = new double[bins];
        double[] v = new double[bins];
        double last = Double.NaN;
        for (int b = 0; b < bins; b++) {
            x[b] = (b + 1) * width;
            if (count[b] > 0) {
                last = sum[b] / count[b];
            }
            v[b] = last;
        }
        return new double[][] {x, v};
    }
}
