package dev.gymrpc.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gymrpc.proto.v1.JobEvent;
import dev.gymrpc.proto.v1.ModelInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a kill -9 can leave in the store, and how the store picks up after it. */
class StoreCrashTest {

    @TempDir
    Path tmp;

    @Test
    void aTornEventLineIsCutBeforeNewEventsAreAppended() throws IOException {
        Store s = Store.open(tmp);
        try (Store.EventLogWriter w = s.openEvents("job-1")) {
            w.append(JobEvent.newBuilder().setOffset(0).build());
            w.append(JobEvent.newBuilder().setOffset(1).build());
        }
        Path f = s.jobDir("job-1").resolve("events.jsonl");
        Files.writeString(f, "{\"offset\":\"2\",\"glo", StandardOpenOption.APPEND); // killed mid-append
        try (Store.EventLogWriter w = s.openEvents("job-1")) {
            w.append(JobEvent.newBuilder().setOffset(2).build());
        }
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        assertEquals(3, lines.size(), "no half line between the old events and the new: " + lines);
        assertEquals(List.of(0L, 1L, 2L), s.readEvents("job-1").stream().map(JobEvent::getOffset).toList());
        assertEquals(0, Store.trimTornTail(f), "a complete log is left alone");
    }

    @Test
    void aJobRunAgainAfterACrashReplacesItsOwnModelButNeverAnotherJobs() throws IOException {
        Store s = Store.open(tmp);
        ModelInfo first = ModelInfo.newBuilder().setModelId("model-a").setJobId("job-a").build();
        s.putModel(first, out -> out.write(1));
        // Killed after storing the model, before the job was recorded SUCCEEDED: the job runs again.
        byte[] again = "trained again".getBytes(StandardCharsets.UTF_8);
        ModelInfo stored = s.putModel(first, out -> out.write(again));
        assertArrayEquals(again, Files.readAllBytes(s.modelFile("model-a")));
        assertEquals(stored.getSha256(), Store.sha256(s.modelFile("model-a")));
        assertEquals(stored, s.model("model-a").orElseThrow());
        ModelInfo other = ModelInfo.newBuilder().setModelId("model-a").setJobId("job-b").build();
        assertThrows(IOException.class, () -> s.putModel(other, out -> out.write(2)));
        assertArrayEquals(again, Files.readAllBytes(s.modelFile("model-a")));
    }
}
