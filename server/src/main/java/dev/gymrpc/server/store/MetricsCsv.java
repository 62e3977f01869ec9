package dev.gymrpc.server.store;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's scalar metrics as a long-format CSV: one row per (step, metric) with the columns
 * {@value #HEADER}. Metric names are the SB3 / CleanRL namespaced ones ({@code charts/episodic_return},
 * {@code losses/qf_loss}, {@code eval/mean_reward}, {@code time/fps}, ...), so the file reads like a
 * TensorBoard scalar export: in pandas {@code df.pivot_table(index="global_step", columns="name",
 * values="value")} gives SB3's wide {@code progress.csv} layout. The long layout is used because the set
 * of metrics depends on the algorithm and augmentations and may grow during a run.
 *
 * <p>Rows are appended (and flushed by the writer's owner at least once a second); a crash can lose at
 * most the unflushed tail, and a torn last line is skipped by {@link #read}. On resume the rows after the
 * checkpoint's step are dropped ({@link #truncateAfter}) so a resumed run's curve has no duplicated
 * stretch.
 */
public final class MetricsCsv implements Closeable {

    public static final String HEADER = "global_step,episode,name,value,unix_ms";

    /** One scalar. */
    public record Row(long globalStep, long episode, String name, double value, long unixMs) {
    }

    private final BufferedWriter out;

    private MetricsCsv(BufferedWriter out) {
        this.out = out;
    }

    /** Opens {@code file} for appending, writing the header if the file is new. */
    public static MetricsCsv append(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        boolean fresh = !Files.exists(file) || Files.size(file) == 0;
        BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        if (fresh) {
            w.write(HEADER);
            w.write('\n');
        }
        return new MetricsCsv(w);
    }

    /** Appends one row. */
    public synchronized void write(long globalStep, long episode, String name, double value, long unixMs) {
        try {
            out.write(Long.toString(globalStep));
            out.write(',');
            out.write(Long.toString(episode));
            out.write(',');
            out.write(name.replace(',', '_').replace('\n', '_'));
            out.write(',');
            out.write(Double.toString(value));
            out.write(',');
            out.write(Long.toString(unixMs));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the metrics CSV: " + e.getMessage(), e);
        }
    }

    public synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot flush the metrics CSV: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    /** All complete rows of {@code file}; an absent file has none. */
    public static List<Row> read(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        if (!Files.exists(file)) {
            return rows;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i == 0 && line.startsWith("global_step")) {
                continue;
            }
            Row r = parse(line);
            if (r != null) {
                rows.add(r);
            }
        }
        return rows;
    }

    private static Row parse(String line) {
        String[] f = line.split(",", -1);
        if (f.length != 5) {
            return null; // torn line after a crash
        }
        try {
            return new Row(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2], Double.parseDouble(f[3]),
                    Long.parseLong(f[4]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Atomically rewrites {@code file} keeping only the rows with {@code global_step <= step}. */
    public static void truncateAfter(Path file, long step) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        List<Row> keep = read(file).stream().filter(r -> r.globalStep() <= step).toList();
        AtomicFiles.write(file, out -> {
            StringBuilder b = new StringBuilder(HEADER).append('\n');
            for (Row r : keep) {
                b.append(r.globalStep()).append(',').append(r.episode()).append(',').append(r.name()).append(',')
                        .append(r.value()).append(',').append(r.unixMs()).append('\n');
            }
            out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        });
    }
}
