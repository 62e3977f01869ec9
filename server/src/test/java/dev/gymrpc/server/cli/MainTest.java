package dev.gymrpc.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gymrpc.server.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line: serve's options map onto ServerConfig, with the defaults written once. */
class MainTest {

    @Test
    void serveDefaultsAreTheServerConfigDefaults() {
        CommandLine cl = Main.commandLine();
        CommandLine.ParseResult r = cl.parseArgs("serve");
        ServeCommand serve = (ServeCommand) r.subcommand().commandSpec().userObject();
        ServerConfig c = serve.config();
        ServerConfig d = ServerConfig.defaults();
        assertEquals(d.port(), c.port());
        assertEquals(d.host(), c.host());
        assertEquals(d.maxSessions(), c.maxSessions());
        assertEquals(d.idleTimeout(), c.idleTimeout());
        assertEquals(d.maxMessageBytes(), c.maxMessageBytes());
        assertEquals(d.store(), c.store());
    }

    @Test
    void serveOptionsAreParsed() {
        CommandLine.ParseResult r = Main.commandLine().parseArgs("serve", "--port", "6000", "--host", "127.0.0.1",
                "--max-sessions", "3", "--idle-timeout", "90s", "--max-message-bytes", "65536", "--store", "/tmp/s");
        ServerConfig c = ((ServeCommand) r.subcommand().commandSpec().userObject()).config();
        assertEquals(6000, c.port());
        assertEquals("127.0.0.1", c.host());
        assertEquals(3, c.maxSessions());
        assertEquals(Duration.ofSeconds(90), c.idleTimeout());
        assertEquals(65536, c.maxMessageBytes());
        assertEquals(Path.of("/tmp/s"), c.store());
    }

    @Test
    void badValuesAreReportedWithTheFix() {
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.parseDuration("ten minutes"));
        assertEquals(Duration.ofMillis(500), ServerConfig.parseDuration("500ms"));
        assertEquals(Duration.ofMinutes(10), ServerConfig.parseDuration("PT10M"));
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setErr(new PrintWriter(err)).execute("serve", "--idle-timeout", "soon");
        assertEquals(2, code);
        assertTrue(err.toString().contains("500ms, 30s"), err.toString());
    }

    @Test
    void helpListsTheSubcommands() {
        StringWriter out = new StringWriter();
        Main.commandLine().setOut(new PrintWriter(out)).execute("--help");
        assertTrue(out.toString().contains("serve") && out.toString().contains("bench"), out.toString());
    }
}
