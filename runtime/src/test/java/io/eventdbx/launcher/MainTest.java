package io.eventdbx.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument handling of the launcher; nothing here boots a runtime. */
class MainTest {

    @TempDir
    Path home;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        Main main = new Main(
                Map.of(),
                home,
                new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return main.run(args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noCommandIsAUsageError() {
        assertEquals(2, run());
        assertTrue(err().contains("Usage: dbx"), err());
    }

    @Test
    void unknownGlobalOptionIsAUsageError() {
        assertEquals(2, run("--bogus", "status"));
        assertTrue(err().contains("unknown option '--bogus'"), err());
    }

    @Test
    void globalOptionWithoutValueIsAUsageError() {
        assertEquals(2, run("--data-dir"));
        assertTrue(err().contains("--data-dir needs a value"), err());
    }

    @Test
    void startRejectsBadFlagsWithoutTouchingTheDisk() {
        Path dataDir = home.resolve("data");
        assertEquals(2, run("start", "--data-dir", dataDir.toString(), "--port", "0"));
        assertTrue(err().contains("invalid port '0'"), err());
        assertEquals(2, run("start", "--data-dir", dataDir.toString(), "--port", "65536"));
        assertEquals(2, run("start", "--data-dir", dataDir.toString(), "--restrict=sometimes"));
        assertTrue(err().contains("unknown restriction mode 'sometimes'"), err());
        assertEquals(2, run("start", "--data-dir", dataDir.toString(), "--api", "soap"));
        assertEquals(2, run("start", "--data-dir", dataDir.toString(), "--frobnicate"));
        assertTrue(err().contains("Unknown option: '--frobnicate'"), err());
        assertFalse(Files.exists(dataDir), "a refused start must not create anything");
    }

    @Test
    void stopAndStatusWhenNothingRuns() {
        Path dataDir = home.resolve("data");
        assertEquals(0, run("status", "--data-dir", dataDir.toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("not running"));
        assertEquals(0, run("stop", "--data-dir", dataDir.toString()));
        assertEquals(2, run("stop", "--data-dir", dataDir.toString(), "--timeout", "0"));
        assertEquals(2, run("stop", "--data-dir", dataDir.toString(), "--timeout", "soon"));
    }

    @Test
    void statusJsonWhenNothingRuns() {
        assertEquals(0, run("status", "--data-dir", home.resolve("d").toString(), "--json"));
        assertTrue(
                out.toString(StandardCharsets.UTF_8).contains("\"status\" : \"not running\""),
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void destroyRefusesDirectoriesThatAreNotOurs() throws Exception {
        Path notOurs = Files.createDirectories(home.resolve("photos"));
        Files.writeString(notOurs.resolve("cat.jpg"), "meow");
        assertEquals(1, run("destroy", "--data-dir", notOurs.toString(), "--yes"));
        assertTrue(err().contains("does not look like an EventDBX data directory"), err());
        assertTrue(Files.exists(notOurs.resolve("cat.jpg")));
    }

    @Test
    void destroyAsksAndCancelsUnlessTheAnswerIsYes() throws Exception {
        Path data = Files.createDirectories(home.resolve("data"));
        Files.writeString(data.resolve("config.toml"), "port = 7070\n");
        assertEquals(1, run("destroy", "--data-dir", data.toString()));
        assertTrue(err().contains("destroy cancelled"), err());
        assertTrue(Files.exists(data));
        assertEquals(0, run("destroy", "--data-dir", data.toString(), "--yes"));
        assertFalse(Files.exists(data));
    }

    @Test
    void configIsExtractedFromAnywhereInAForwardedCommand() {
        List<String> args = new ArrayList<>(List.of("--port", "1", "--config", "/x.toml", "--json"));
        assertEquals("/x.toml", Main.extractConfig(args, null));
        assertEquals(List.of("--port", "1", "--json"), args);
        List<String> equals = new ArrayList<>(List.of("--config=/y.toml"));
        assertEquals("/y.toml", Main.extractConfig(equals, "/x.toml"));
        assertTrue(equals.isEmpty());
    }

    @Test
    void versionAndHelp() {
        assertEquals(0, run("--version"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("dbx "));
        assertEquals(0, run("--help"));
    }
}
