package dev.gymrpc.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.proto.v1.Job;
import dev.gymrpc.proto.v1.JobState;
import dev.gymrpc.proto.v1.ModelInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's files: atomic writes, crash leftovers, models, metrics truncation, learning curves. */
class StoreTest {

    @TempDir
    Path tmp;

    @Test
    void atomicWriteLeavesOldContentWhenTheWriterFails() throws IOException {
        Path f = tmp.resolve("a.json");
        AtomicFiles.writeString(f, "old");
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(f));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(f), s.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void openingRemovesLeftoversOfACrash() throws IOException {
        Store s = Store.open(tmp);
        Files.createDirectories(s.jobDir("job-1"));
        Files.writeString(s.jobDir("job-1").resolve(".tmp-job.json123"), "torn", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE_NEW);
        Files.createDirectories(tmp.resolve("models").resolve(".tmp-model-x123"));
        Store.open(tmp);
        assertFalse(Files.exists(s.jobDir("job-1").resolve(".tmp-job.json123")));
        assertFalse(Files.exists(tmp.resolve("models").resolve(".tmp-model-x123")));
    }

    @Test
    void jobsRoundTripAndBadIdsCannotEscapeTheStore() throws IOException {
        Store s = Store.open(tmp);
        Job j = Job.newBuilder().setJobId("job-00000001").setState(JobState.JOB_STATE_FAILED).setReason("diverged")
                .setCreatedUnixMs(5).build();
        s.saveJob(j);
        assertEquals(List.of(j), s.loadJobs());
        assertThrows(IllegalArgumentException.class, () -> s.jobDir("../etc"));
        assertTrue(s.model("../../etc/passwd").isEmpty());
        assertFalse(s.deleteModel(".."));
    }

    @Test
    void modelsArePutWithSizeAndHashAndDeleted() throws IOException {
        Store s = Store.open(tmp);
        byte[] bytes = "weights".getBytes(StandardCharsets.UTF_8);
        ModelInfo info = s.putModel(ModelInfo.newBuilder().setModelId("model-1").setCreatedUnixMs(1).build(),
                out -> out.write(bytes));
        assertEquals(bytes.length, info.getSizeBytes());
        assertEquals(64, info.getSha256().length());
        assertArrayEquals(bytes, Files.readAllBytes(s.modelFile("model-1")));
        assertEquals(info, s.model("model-1").orElseThrow());
        assertThrows(IOException.class, () -> s.putModel(info, out -> out.write(bytes)), "ids are never reused");
        s.putModel(ModelInfo.newBuilder().setModelId("model-2").setCreatedUnixMs(2).build(), out -> out.write(bytes));
        assertEquals(List.of("model-2", "model-1"), s.listModels().stream().map(ModelInfo::getModelId).toList());
        assertTrue(s.deleteModel("model-1"));
        assertTrue(s.model("model-1").isEmpty());
        assertFalse(s.deleteModel("model-1"));
    }

    @Test
    void metricsTruncateAfterAResumePointAndCurvesAggregateSeeds() throws IOException {
        Path f = tmp.resolve("m.csv");
        try (MetricsCsv m = MetricsCsv.append(f)) {
            for (int e = 0; e < 10; e++) {
                m.write(10L * (e + 1), e, "charts/episodic_return", -e, 0);
            }
        }
        MetricsCsv.truncateAfter(f, 50);
        assertEquals(5, MetricsCsv.read(f).size());
        Files.writeString(f, "10,0,charts/episodic_ret", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(5, MetricsCsv.read(f).size(), "a torn last line is skipped");

        // Two seeds: returns -1,-2,-3 and -3,-4,-5 (and a third episode only in one) -> mean -2,-3,-4 over the
        // episodes both have, CI half-width t(0.975,1) * sd / sqrt(2) with sd = sqrt(2).
        List<LearningCurves.Run> runs = List.of(
                new LearningCurves.Run("sac", 1, rows(-1, -2, -3, -9)),
                new LearningCurves.Run("sac", 2, rows(-3, -4, -5)));
        LearningCurves.Curve c = LearningCurves.aggregate(runs, "charts/episodic_return", LearningCurves.XAxis.EPISODE,
                1, 10).get(0);
        assertEquals(2, c.runs());
        assertArrayEquals(new double[] {1, 2, 3}, c.x());
        assertArrayEquals(new double[] {-2, -3, -4}, c.mean(), 1e-12);
        assertEquals(-2 - 12.706 * Math.sqrt(2) / Math.sqrt(2), c.low()[0], 1e-9);
        assertArrayEquals(new double[] {-1, -1.5, -2.5}, LearningCurves.movingAverage(new double[] {-1, -2, -3}, 2), 1e-12);
    }

    private static List<MetricsCsv.Row> rows(double... returns) {
        List<MetricsCsv.Row> out = new java.util.ArrayList<>();
        for (int i = 0; i < returns.length; i++) {
            out.add(new MetricsCsv.Row(10L * (i + 1), i, "charts/episodic_return", returns[i], 0));
        }
        return out;
    }
}
