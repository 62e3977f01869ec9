package dev.gymrpc.server.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.JobEvent;
import dev.gymrpc.proto.v1.ModelInfo;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent service's embedded store: a plain directory (default {@code ./gymrpc-store}) that a person
 * can read with {@code ls}, {@code jq} and pandas, and that survives server restarts.
 *
 * <pre>
 * store/
 *   jobs/&lt;job id&gt;/job.json                 the Job (config, state, reason, progress), protobuf JSON
 *   jobs/&lt;job id&gt;/events.jsonl             the job's event log, one JobEvent (protobuf JSON) per line
 *   jobs/&lt;job id&gt;/metrics.csv              training jobs: scalars, see {@link MetricsCsv}
 *   jobs/&lt;job id&gt;/checkpoints/step-N.ckpt   training jobs: resume points (the last two are kept)
 *   jobs/&lt;job id&gt;/runs/&lt;variant&gt;/seed-S/     benchmark jobs: each run's metrics.csv and checkpoints
 *   jobs/&lt;job id&gt;/benchmark.csv            benchmark jobs: the result table
 *   models/&lt;model id&gt;/model.bin           the policy as the agents module saves it
 *   models/&lt;model id&gt;/model.json          its ModelInfo: full config, seed, env, job id, versions,
 *                                          final evaluation, size and SHA-256 (provenance)
 * </pre>
 *
 * <p>Every whole-file write is atomic ({@link AtomicFiles}); a model directory appears by one rename of a
 * complete staging directory and disappears by one rename before its deletion. Logs (events, metrics) are
 * appended; a torn last line after a crash is skipped when read. Ids are checked against
 * {@link #ID_PATTERN} before they touch a path, so a request cannot reach outside the store.
 */
public final class Store {

    private static final Logger LOG = LoggerFactory.getLogger(Store.class);

    /** What a job or model id may look like. */
    public static final Pattern ID_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private static final JsonFormat.Printer PRETTY = JsonFormat.printer();
    private static final JsonFormat.Printer COMPACT = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private final Path root;
    private final Path jobs;
    private final Path models;

    private Store(Path root) {
        this.root = root;
        this.jobs = root.resolve("jobs");
        this.models = root.resolve("models");
    }

    /** Opens (creating if needed) the store at {@code root} and removes temporary leftovers of a crash. */
    public static Store open(Path root) throws IOException {
        Store s = new Store(root.toAbsolutePath().normalize());
        Files.createDirectories(s.jobs);
        Files.createDirectories(s.models);
        s.removeLeftovers();
        return s;
    }

    public Path root() {
        return root;
    }

    /** Whether {@code id} is a well-formed job or model id. */
    public static boolean validId(String id) {
        return id != null && ID_PATTERN.matcher(id).matches();
    }

    private static String checkId(String id) {
        if (!validId(id)) {
            throw new IllegalArgumentException("malformed id '" + id + "': ids match " + ID_PATTERN.pattern());
        }
        return id;
    }

    // ---------------------------------------------------------------- jobs

    public Path jobDir(String jobId) {
        return jobs.resolve(checkId(jobId));
    }

    /** The metrics CSV of a training job. */
    public Path metricsFile(String jobId) {
        return jobDir(jobId).resolve("metrics.csv");
    }

    /** The directory of one benchmark run (its metrics.csv and checkpoints). */
    public Path runDir(String jobId, String variant, long seed) {
        return jobDir(jobId).resolve("runs").resolve(safeName(variant)).resolve("seed-" + seed);
    }

    /** A variant name as a directory name: anything but letters, digits, '.', '_', '-', '+' becomes '_'. */
    public static String safeName(String variant) {
        String s = variant.replaceAll("[^A-Za-z0-9._+-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }

    /** Atomically writes {@code job} to its job.json. */
    public void saveJob(Job job) {
        try {
            AtomicFiles.writeString(jobDir(job.getJobId()).resolve("job.json"), PRETTY.print(job) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write job " + job.getJobId() + " to the store " + root + ": "
                    + e.getMessage(), e);
        }
    }

    /** Every stored job (unreadable ones are logged and skipped). */
    public List<Job> loadJobs() throws IOException {
        List<Job> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(jobs)) {
            for (Path d : dirs) {
                Path f = d.resolve("job.json");
                if (!Files.isRegularFile(f)) {
                    continue;
                }
                try {
                    Job.Builder b = Job.newBuilder();
                    PARSER.merge(Files.readString(f, StandardCharsets.UTF_8), b);
                    out.add(b.build());
                } catch (InvalidProtocolBufferException | RuntimeException e) {
                    LOG.warn("skipping unreadable job record {}: {}", f, e.getMessage());
                }
            }
        }
        return out;
    }

    /**
     * Opens a job's event log for appending. A torn last line (the process was killed mid-write) is cut
     * off first, so appended events never follow half an event.
     */
    public EventLogWriter openEvents(String jobId) throws IOException {
        Path f = jobDir(jobId).resolve("events.jsonl");
        Files.createDirectories(f.getParent());
        trimTornTail(f);
        return new EventLogWriter(Files.newBufferedWriter(f, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND));
    }

    /**
     * Cuts {@code file} back to its last complete line ('\n'-terminated): what a crash during an append
     * can leave after it. Returns the number of bytes cut.
     */
    public static long trimTornTail(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long keep = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (keep > 0) {
                one.clear();
                ch.read(one, keep - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                keep--;
            }
            if (keep < size) {
                LOG.info("cutting a torn last line ({} bytes) off {}", size - keep, file);
                ch.truncate(keep);
                ch.force(true);
            }
            return size - keep;
        }
    }

    /** A job's stored events, in order; a torn last line is skipped. */
    public List<JobEvent> readEvents(String jobId) throws IOException {
        Path f = jobDir(jobId).resolve("events.jsonl");
        List<JobEvent> out = new ArrayList<>();
        if (!Files.exists(f)) {
            return out;
        }
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JobEvent.Builder b = JobEvent.newBuilder();
                PARSER.merge(line, b);
                out.add(b.build());
            } catch (InvalidProtocolBufferException e) {
                LOG.warn("skipping a torn line of {}: {}", f, e.getMessage());
            }
        }
        return out;
    }

    /** Appends JobEvents to a job's events.jsonl. */
    public static final class EventLogWriter implements Closeable {
        private final BufferedWriter out;

        EventLogWriter(BufferedWriter out) {
            this.out = out;
        }

        public synchronized void append(JobEvent e) {
            try {
                out.write(COMPACT.print(e));
                out.write('\n');
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot append to the event log: " + ex.getMessage(), ex);
            }
        }

        public synchronized void flush() {
            try {
                out.flush();
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot flush the event log: " + ex.getMessage(), ex);
            }
        }

        @Override
        public synchronized void close() throws IOException {
            out.close();
        }
    }

    // ---------------------------------------------------------------- checkpoints

    /** The checkpoint file for {@code step} in {@code dir}. */
    public static Path checkpointFile(Path dir, long step) {
        return dir.resolve(String.format("step-%012d.ckpt", step));
    }

    /** The newest checkpoint in {@code dir}, if any. */
    public static Optional<Path> latestCheckpoint(Path dir) throws IOException {
        return checkpoints(dir).stream().reduce((a, b) -> b);
    }

    /** The step a checkpoint file was written at. */
    public static long checkpointStep(Path file) {
        String n = file.getFileName().toString();
        return Long.parseLong(n.substring("step-".length(), n.length() - ".ckpt".length()));
    }

    /** Deletes all but the newest {@code keep} checkpoints in {@code dir}. */
    public static void pruneCheckpoints(Path dir, int keep) throws IOException {
        List<Path> all = checkpoints(dir);
        for (int i = 0; i < all.size() - keep; i++) {
            Files.deleteIfExists(all.get(i));
        }
    }

    private static List<Path> checkpoints(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("step-\\d{12}\\.ckpt")).sorted().toList();
        }
    }

    // ---------------------------------------------------------------- models

    private Path modelDir(String modelId) {
        return models.resolve(checkId(modelId));
    }

    /**
     * Stores a model: writes {@code content} and {@code info} (completed with size and SHA-256) into a
     * staging directory, then renames it into place. Returns the completed info.
     *
     * <p>A model of the same id from the same job may already be there: the server was killed after
     * storing it and before recording the job as SUCCEEDED, so the job ran again from its checkpoint.
     * The new model replaces it (the job record will name the new one). A model of another job is never
     * replaced.
     */
    public ModelInfo putModel(ModelInfo info, AtomicFiles.Content content) throws IOException {
        Path target = modelDir(info.getModelId());
        Optional<ModelInfo> existing = model(info.getModelId());
        boolean sameJob = existing.isPresent() && !info.getJobId().isEmpty()
                && existing.get().getJobId().equals(info.getJobId());
        if (Files.exists(target) && !sameJob) {
            throw new IOException("model " + info.getModelId() + " already exists in " + models);
        }
        Path staging = Files.createTempDirectory(models, AtomicFiles.TEMP_PREFIX + info.getModelId());
        try {
            Path bin = staging.resolve("model.bin");
            try (var out = Files.newOutputStream(bin)) {
                content.writeTo(out);
            }
            try (FileChannel ch = FileChannel.open(bin, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            ModelInfo full = info.toBuilder().setSizeBytes(Files.size(bin)).setSha256(sha256(bin)).build();
            AtomicFiles.writeString(staging.resolve("model.json"), PRETTY.print(full) + "\n");
            if (Files.exists(target)) {
                LOG.info("replacing model {} of job {}, stored before a crash, with the job's new one",
                        info.getModelId(), info.getJobId());
                Path gone = models.resolve(AtomicFiles.TEMP_PREFIX + "replaced-" + info.getModelId() + "-" + System.nanoTime());
                AtomicFiles.move(target, gone);
                deleteTree(gone);
            }
            AtomicFiles.move(staging, target);
            return full;
        } catch (IOException | RuntimeException e) {
            deleteTree(staging);
            throw e;
        }
    }

    /** A model's info, if the model exists. */
    public Optional<ModelInfo> model(String modelId) {
        if (!validId(modelId)) {
            return Optional.empty();
        }
        Path f = modelDir(modelId).resolve("model.json");
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            ModelInfo.Builder b = ModelInfo.newBuilder();
            PARSER.merge(Files.readString(f, StandardCharsets.UTF_8), b);
            return Optional.of(b.build());
        } catch (IOException e) {
            LOG.warn("unreadable model record {}: {}", f, e.getMessage());
            return Optional.empty();
        }
    }

    /** The model's file (exists when {@link #model} returned a value). */
    public Path modelFile(String modelId) {
        return modelDir(modelId).resolve("model.bin");
    }

    /** Every stored model, newest first. */
    public List<ModelInfo> listModels() throws IOException {
        List<ModelInfo> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(models)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (!name.startsWith(AtomicFiles.TEMP_PREFIX)) {
                    model(name).ifPresent(out::add);
                }
            }
        }
        out.sort(Comparator.comparingLong(ModelInfo::getCreatedUnixMs).reversed()
                .thenComparing(ModelInfo::getModelId));
        return out;
    }

    /** Deletes a model; false if it did not exist. */
    public boolean deleteModel(String modelId) throws IOException {
        if (!validId(modelId) || !Files.isDirectory(modelDir(modelId))) {
            return false;
        }
        Path gone = models.resolve(AtomicFiles.TEMP_PREFIX + "deleted-" + modelId + "-" + System.nanoTime());
        AtomicFiles.move(modelDir(modelId), gone);
        deleteTree(gone);
        return true;
    }

    // ---------------------------------------------------------------- helpers

    /** Parses protobuf JSON into {@code builder} (for CLI tools reading the store). */
    public static void parseJson(String json, Message.Builder builder) throws InvalidProtocolBufferException {
        PARSER.merge(json, builder);
    }

    /** Prints a message as pretty protobuf JSON. */
    public static String toJson(Message m) {
        try {
            return PRETTY.print(m);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private void removeLeftovers() throws IOException {
        for (Path dir : List.of(models, jobs)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.filter(p -> p.getFileName().toString().startsWith(AtomicFiles.TEMP_PREFIX)).toList()) {
                    LOG.info("removing the leftover of an interrupted write: {}", p);
                    deleteTree(p);
                }
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
