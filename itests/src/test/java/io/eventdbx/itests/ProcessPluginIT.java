package io.eventdbx.itests;

import static io.eventdbx.itests.RestClient.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process plugin written in Python with pycapnp (from PyPI), installed from a tar.gz with {@code dbx plugin install},
 * run by a real server as a supervised child: it reads the Cap'n Proto stream, its acknowledgements and failures
 * reach the queue, its output reaches the server log, and it is restarted when it dies.
 */
class ProcessPluginIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within 90 s");
            Thread.sleep(50); // polling a condition with a deadline
        }
    }

    /** pycapnp in a virtual environment under target/, pinned by itests/plugins/requirements.txt. */
    private static Path python() throws IOException, InterruptedException {
        return PythonVenv.ensure("pycapnp-venv", "plugins/requirements.txt", "python", "-c", "import capnp")
                .resolve("bin/python");
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Test
    void aPythonPluginReadsTheStreamAndItsAnswersReachTheQueue() throws Exception {
        Path python = python();
        // the plugin bundle: the script, the schema shipped in the distribution, and a launcher named after it
        Path bundle = Files.createDirectories(temp.resolve("bundle"));
        Files.copy(Path.of("plugins/recorder.py"), bundle.resolve("recorder.py"));
        Files.copy(Dbx.HOME.resolve("docs/plugin.capnp"), bundle.resolve("plugin.capnp"));
        Path launcher = bundle.resolve("recorder");
        Files.writeString(launcher, "#!/bin/sh\nexec '" + python + "' \"$(dirname \"$0\")/recorder.py\" \"$@\"\n");
        launcher.toFile().setExecutable(true, true);
        Path archive = temp.resolve("recorder-1.0.0.tar.gz");
        RestConformanceIT.Run tar = RestConformanceIT.run(
                bundle,
                Duration.ofMinutes(1),
                "tar",
                "czf",
                archive.toString(),
                "recorder",
                "recorder.py",
                "plugin.capnp");
        assertEquals(0, tar.exit(), tar.out());

        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
        Path received = temp.resolve("received.jsonl");
        try {
            assertEquals(0, dbx.run("start").exit());
            Dbx.Result wrongSum = dbx.run(
                    "plugin",
                    "install",
                    "recorder",
                    "1.0.0",
                    "--source",
                    archive.toString(),
                    "--checksum",
                    "0".repeat(64));
            assertEquals(2, wrongSum.exit(), wrongSum.toString());
            assertTrue(wrongSum.err().contains("does not match"), wrongSum.toString());
            Dbx.Result install = dbx.run(
                    "plugin",
                    "install",
                    "recorder",
                    "1.0.0",
                    "--source",
                    archive.toString(),
                    "--checksum",
                    sha256(archive),
                    "--json");
            assertEquals(0, install.exit(), install.toString());
            assertTrue(JSON.readTree(install.out()).path("binary").asText().endsWith("/recorder"), install.out());
            // the same bundle from an http URL; a URL that answers 404 is a clear error, nothing installed
            com.sun.net.httpserver.HttpServer files =
                    com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            byte[] archiveBytes = Files.readAllBytes(archive);
            files.createContext("/recorder.tar.gz", exchange -> {
                exchange.sendResponseHeaders(200, archiveBytes.length);
                exchange.getResponseBody().write(archiveBytes);
                exchange.close();
            });
            files.start();
            try {
                String base = "http://127.0.0.1:" + files.getAddress().getPort();
                Dbx.Result fromUrl = dbx.run(
                        "plugin",
                        "install",
                        "recorder",
                        "1.0.1",
                        "--source",
                        base + "/recorder.tar.gz",
                        "--checksum",
                        sha256(archive),
                        "--json");
                assertEquals(0, fromUrl.exit(), fromUrl.toString());
                assertTrue(
                        JSON.readTree(fromUrl.out()).path("binary").asText().contains("/recorder/1.0.1/"),
                        fromUrl.out());
                Dbx.Result missing =
                        dbx.run("plugin", "install", "recorder", "1.0.2", "--source", base + "/missing.tar.gz");
                assertEquals(1, missing.exit(), missing.toString());
                assertTrue(missing.err().contains("404"), missing.toString());
                assertFalse(Files.exists(dbx.dataDir.resolve("plugins/recorder/1.0.2")), "nothing installed");
            } finally {
                files.stop(0);
            }
            Dbx.Result notInstalled = dbx.run(
                    "plugin",
                    "config",
                    "process",
                    "--name",
                    "other",
                    "--plugin",
                    "nothing",
                    "--version",
                    "1.0.0",
                    "--disable");
            assertEquals(0, notInstalled.exit(), notInstalled.toString());
            Dbx.Result enableMissing = dbx.run("plugin", "enable", "other");
            assertEquals(1, enableMissing.exit(), enableMissing.toString());
            assertTrue(enableMissing.err().contains("not installed"), enableMissing.toString());

            Dbx.Result config = dbx.run(
                    "plugin",
                    "config",
                    "process",
                    "--name",
                    "rec",
                    "--plugin",
                    "recorder",
                    "--version",
                    "1.0.0",
                    "--arg",
                    received.toString(),
                    "--env",
                    "SEARCH_CLUSTER=https://example.com",
                    "--disable");
            assertEquals(0, config.exit(), config.toString());
            assertEquals(0, dbx.run("plugin", "enable", "rec").exit());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                RestClient.Reply reply = api.append(
                        admin,
                        "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-" + (i % 4)
                                + "\",\"event_type\":\"seen\",\"payload\":{\"n\":" + i + "}}");
                assertEquals(201, reply.status(), reply.raw());
                ids.add(reply.body().path("metadata").path("event_id").asText());
            }
            await(() -> lines(received).size() >= 30, "30 events at the Python plugin");
            for (int i = 0; i < 30; i++) {
                JsonNode event = JSON.readTree(lines(received).get(i));
                assertEquals(ids.get(i), event.path("metadata").path("event_id").asText(), "in order");
                assertEquals(i, event.path("payload").path("n").asInt());
            }
            Path log = dbx.dataDir.resolve("logs/eventdbx.log");
            await(() -> read(log).contains("recorder.py: connected as rec"), "the plugin's stdout in the server log");

            // a failure the plugin reports reaches the queue; when it recovers the event is delivered
            Files.writeString(Path.of(received + ".fail"), "search cluster unavailable");
            RestClient.Reply held = api.append(
                    admin,
                    "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-9\",\"event_type\":\"seen\",\"payload\":{}}");
            String heldId = held.body().path("metadata").path("event_id").asText();
            await(() -> queueHas(dbx, heldId, "search cluster unavailable"), "the plugin's reason in dbx queue");
            Files.delete(Path.of(received + ".fail"));
            await(() -> read(received).contains(heldId), "the held event after the plugin recovered");

            // the child dies: the server restarts it and deliveries go on
            long before = read(log)
                    .lines()
                    .filter(l -> l.contains("recorder.py: connected as rec"))
                    .count();
            RestConformanceIT.Run kill =
                    RestConformanceIT.run(temp, Duration.ofMinutes(1), "pkill", "-9", "-f", "recorder.py");
            assertTrue(kill.exit() == 0, "killed the plugin: " + kill.out());
            await(
                    () -> read(log)
                                    .lines()
                                    .filter(l -> l.contains("recorder.py: connected as rec"))
                                    .count()
                            > before,
                    "restarted");
            RestClient.Reply after = api.append(
                    admin,
                    "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-10\",\"event_type\":\"seen\",\"payload\":{}}");
            String afterId = after.body().path("metadata").path("event_id").asText();
            await(() -> read(received).contains(afterId), "delivered by the restarted child");
            Dbx.Result test = dbx.run("plugin", "test", "--json");
            assertEquals(0, test.exit(), test.toString());
            assertEquals("ok", JSON.readTree(test.out()).path("rec").asText(), test.toString());
        } finally {
            dbx.run("stop");
        }
    }

    private static boolean queueHas(Dbx dbx, String eventId, String reason) {
        Dbx.Result q = dbx.run("queue", "--json");
        return q.exit() == 0 && q.out().contains(eventId) && q.out().contains(reason);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
