package dev.gymrpc.server.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class RateLimitedLogTest {

    @Test
    void aFloodLogsAtMostTheBudgetPerWindowAndCountsTheRest() {
        AtomicLong now = new AtomicLong();
        RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger("flood-test"), Level.DEBUG, 20, 1_000, now::get);
        int logged = 0;
        for (int i = 0; i < 10_000; i++) {
            if (log.log("bad request {}", i)) {
                logged++;
            }
        }
        assertEquals(20, logged, "one window's budget, however many bad requests arrive");
        assertEquals(10_000 - 20, log.dropped());
        now.addAndGet(999);
        assertFalse(log.log("still the same window"));
        now.addAndGet(1);
        assertTrue(log.log("a new window"), "the budget renews each window");
        assertEquals(0, log.dropped(), "the first line of the new window reported the dropped count");
    }
}
