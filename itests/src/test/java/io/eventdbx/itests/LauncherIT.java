package io.eventdbx.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventdbx.control.protocol.AdminCredential;
import io.eventdbx.control.protocol.AuthenticationException;
import io.eventdbx.control.protocol.ControlClient;
import io.eventdbx.control.protocol.ControlProtocol;
import io.eventdbx.control.protocol.Frame;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher end to end: real processes, a temporary data directory, random ports. */
class LauncherIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void daemonLifecycleWithForwardedCommands() throws Exception {
        Dbx dbx = new Dbx(temp);
        Dbx.Result start = dbx.run("start", "--restrict=strict", "--api", "rest,grpc");
        assertEquals(0, start.exit(), start.toString());
        assertTrue(start.out().contains("EventDBX started (pid "), start.toString());
        try {
            JsonNode pid = JSON.readTree(Files.readString(dbx.dataDir.resolve("eventdbx.pid")));
            assertTrue(pid.path("pid").asLong() > 0);

            Dbx.Result status = dbx.run("status", "--json");
            assertEquals(0, status.exit(), status.toString());
            JsonNode json = JSON.readTree(status.out());
            assertEquals("running", json.path("status").asText());
            assertEquals(pid.path("pid").asLong(), json.path("pid").asLong());
            assertEquals(dbx.httpPort, json.path("port").asInt());
            assertEquals("strict", json.path("restrict").asText(), "--restrict is persisted and in force");
            assertEquals(List.of("rest", "grpc"), JSON.convertValue(json.path("api"), List.class));
            assertEquals(
                    pid.path("control").asText(),
                    json.path("listeners").path("control").asText());
            assertTrue(json.path("uptime").asText().endsWith("s"));

            Dbx.Result human = dbx.run("status");
            assertTrue(human.out().contains("restrict:") && human.out().contains("uptime:"), human.toString());

            Dbx.Result again = dbx.run("start");
            assertEquals(1, again.exit(), again.toString());
            assertTrue(again.err().contains("already running"), again.toString());

            Dbx.Result bundles = dbx.run("bundle", "list", "--json");
            assertEquals(0, bundles.exit(), bundles.toString());
            for (JsonNode bundle : JSON.readTree(bundles.out())) {
                assertEquals("active", bundle.path("state").asText(), bundle.toString());
            }

            Dbx.Result config = dbx.run("config", "--page-limit", "500");
            assertEquals(0, config.exit(), config.toString());
            assertTrue(Files.readString(dbx.dataDir.resolve("config.toml")).contains("page_limit = 500"));
            Dbx.Result bad = dbx.run("config", "--port", "70000", "--page-limit", "7");
            assertEquals(2, bad.exit(), bad.toString());
            assertTrue(bad.err().contains("invalid port '70000'"), bad.toString());
            assertTrue(
                    Files.readString(dbx.dataDir.resolve("config.toml")).contains("page_limit = 500"),
                    "a refused change leaves the file untouched");

            Dbx.Result unknown = dbx.run("frobnicate");
            assertEquals(2, unknown.exit(), unknown.toString());
            assertTrue(unknown.err().contains("unknown command 'frobnicate'"), unknown.toString());

            Dbx.Result shell = dbx.runWithInput("lb\ndbx:status\nexit\n", "shell");
            assertEquals(0, shell.exit(), shell.toString());
            assertTrue(
                    shell.out().contains("dbx> ")
                            && shell.out().contains("EventDBX shell (0.1.0")
                            && shell.out().contains("uptime"),
                    shell.toString());
        } finally {
            Dbx.Result stop = dbx.run("stop");
            assertEquals(0, stop.exit(), stop.toString());
            assertTrue(stop.out().contains("EventDBX stopped"), stop.toString());
        }
        Dbx.Result after = dbx.run("status");
        assertEquals(0, after.exit(), after.toString());
        assertTrue(after.out().contains("not running"), after.toString());
        assertFalse(Files.exists(dbx.dataDir.resolve("eventdbx.pid")));
        assertTrue(
                Files.readString(dbx.dataDir.resolve("logs/eventdbx.log")).contains("ready in"),
                "the daemon logs its banner");
    }

    @Test
    void controlSocketRefusesUnauthenticatedPeers() throws Exception {
        Dbx dbx = new Dbx(temp);
        Dbx.Result start = dbx.run("start");
        assertEquals(0, start.exit(), start.toString());
        try {
            JsonNode pid = JSON.readTree(Files.readString(dbx.dataDir.resolve("eventdbx.pid")));
            String[] endpoint = pid.path("control").asText().split(":");
            InetSocketAddress address = new InetSocketAddress(endpoint[0], Integer.parseInt(endpoint[1]));

            // A peer that guesses: a proof of the right length, but not made with the credential.
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                in.readFully(new byte[ControlProtocol.GREETING.length + ControlProtocol.NONCE_LENGTH]);
                byte[] guess = new byte[33];
                guess[0] = Frame.AUTH_ADMIN;
                Frame.send(out, Frame.AUTH, guess);
                Frame reply = Frame.read(in, 4096);
                assertEquals(Frame.ERROR, reply.type());
                assertEquals("authentication failed", reply.text());
                assertThrows(EOFException.class, () -> Frame.read(in, 4096), "the server closes the connection");
            }

            // A peer that skips authentication and sends a command straight away.
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                in.readFully(new byte[ControlProtocol.GREETING.length + ControlProtocol.NONCE_LENGTH]);
                Frame.send(out, Frame.EXEC, Frame.encodeStrings(List.of("bundle", "stop", "io.eventdbx.control")));
                assertEquals(Frame.ERROR, Frame.read(in, 4096).type());
            }

            // The credential of another data directory.
            Path other = temp.resolve("other.key");
            AdminCredential stranger = AdminCredential.loadOrCreate(other);
            assertThrows(AuthenticationException.class, () -> ControlClient.connect(address, stranger, 5_000));

            // The right credential works, and nothing above ran: the control bundle is still active.
            AdminCredential admin = AdminCredential.load(dbx.dataDir.resolve("admin.key"));
            try (ControlClient client = ControlClient.connect(address, admin, 5_000)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                assertEquals(0, client.execute(List.of("bundle", "list"), out, new ByteArrayOutputStream()));
                assertTrue(out.toString(StandardCharsets.UTF_8).matches("(?s).*active\\s+io\\.eventdbx\\.control.*"));
            }
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(dbx.dataDir.resolve("admin.key"))));
        } finally {
            assertEquals(0, dbx.run("stop").exit());
        }
    }

    @Test
    void stalePidFileIsDetectedAndCleaned() throws Exception {
        Dbx dbx = new Dbx(temp);
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(
                dbx.dataDir.resolve("eventdbx.pid"),
                "{\"pid\":" + gone.pid()
                        + ",\"started_at\":\"2020-01-01T00:00:00Z\",\"control\":\"127.0.0.1:1\",\"port\":1}\n");
        Dbx.Result status = dbx.run("status");
        assertEquals(0, status.exit(), status.toString());
        assertTrue(status.out().contains("not running"), status.toString());
        assertTrue(status.err().contains("removed a stale pid file"), status.toString());
        assertFalse(Files.exists(dbx.dataDir.resolve("eventdbx.pid")));
    }

    @Test
    void embeddedCommandsWhenNoServerRuns() throws Exception {
        Dbx dbx = new Dbx(temp);
        Dbx.Result help = dbx.run("help");
        assertEquals(0, help.exit(), help.toString());
        assertTrue(help.out().contains("config") && help.out().contains("bundle"), help.toString());

        Dbx.Result config = dbx.run("config", "--json");
        assertEquals(0, config.exit(), config.toString());
        boolean sawPort = false;
        for (JsonNode row : JSON.readTree(config.out())) {
            if (row.path("key").asText().equals("port")) {
                assertEquals(dbx.httpPort, row.path("value").asInt());
                assertEquals("file", row.path("source").asText());
                sawPort = true;
            }
        }
        assertTrue(sawPort, config.toString());

        assertEquals(2, dbx.run("config", "--list-page-size", "-1").exit());
        assertEquals(2, dbx.run("config", "--restrict", "sometimes").exit());
        assertEquals(0, dbx.run("config", "--snapshot-threshold", "100").exit());
        assertTrue(Files.readString(dbx.dataDir.resolve("config.toml")).contains("snapshot_threshold = 100"));

        Dbx.Result shell = dbx.runWithInput("dbx:help\nexit\n", "shell");
        assertEquals(0, shell.exit(), shell.toString());
        assertTrue(shell.out().contains("List the available commands"), shell.toString());
        assertFalse(Files.exists(dbx.dataDir.resolve("eventdbx.pid")), "an embedded run is not a server");
    }

    @Test
    void foregroundServerLogsToConsoleAndFileAndStopsOnRequest() throws Exception {
        Dbx dbx = new Dbx(temp);
        Process server = dbx.start("start", "--foreground");
        BufferedReader console =
                new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line;
        String banner = null;
        while ((line = console.readLine()) != null) {
            if (line.contains("ready in")) {
                banner = line;
                break;
            }
        }
        Dbx.drain(server.getInputStream());
        Dbx.drain(server.getErrorStream());
        assertTrue(
                banner != null
                        && banner.contains("pid " + server.pid())
                        && banner.contains("http port " + dbx.httpPort),
                String.valueOf(banner));
        Dbx.Result stop = dbx.run("stop");
        assertEquals(0, stop.exit(), stop.toString());
        assertTrue(server.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, server.exitValue());
        assertTrue(Files.readString(dbx.dataDir.resolve("logs/eventdbx.log")).contains(banner));
    }

    @Test
    void deployFolderInstallsAndRemovesBundlesLive() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        try {
            Path jar = dbx.dataDir.resolve("deploy/test.deployed.jar");
            Path staging = temp.resolve("test.deployed.jar");
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
            manifest.getMainAttributes().putValue("Bundle-SymbolicName", "test.deployed");
            manifest.getMainAttributes().putValue("Bundle-Version", "1.2.3");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(staging), manifest)) {
                out.flush();
            }
            Files.move(staging, jar);
            assertTrue(waitForBundle(dbx, "test.deployed", true), "FileInstall installs what is dropped into deploy/");
            Files.delete(jar);
            assertTrue(waitForBundle(dbx, "test.deployed", false), "and removes it again");
        } finally {
            assertEquals(0, dbx.run("stop").exit());
        }
    }

    @Test
    void destroyRemovesEverything() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        Dbx.Result refused = dbx.run("destroy", "--yes");
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("stop it first"), refused.toString());
        assertEquals(0, dbx.run("stop").exit());
        Dbx.Result destroy = dbx.run("destroy", "--yes");
        assertEquals(0, destroy.exit(), destroy.toString());
        assertFalse(Files.exists(dbx.dataDir));
    }

    @Test
    void startReportsWhyItFailed() throws Exception {
        Dbx dbx = new Dbx(temp);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Files.writeString(
                    dbx.dataDir.resolve("config.toml"),
                    "port = " + dbx.httpPort + "\n[socket]\nbind_addr = \"127.0.0.1:" + taken.getLocalPort() + "\"\n");
            long started = System.nanoTime();
            Dbx.Result start = dbx.run("start");
            assertEquals(1, start.exit(), start.toString());
            assertTrue(
                    start.err().contains("failed to start")
                            && start.err().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()),
                    start.toString());
            assertTrue(
                    System.nanoTime() - started < 30_000_000_000L,
                    "a failed start is reported at once, not after a timeout");
        }
        assertFalse(Files.exists(dbx.dataDir.resolve("eventdbx.pid")));
        assertEquals(0, dbx.run("status").exit());
    }

    @Test
    void stopKillsAServerThatDoesNotStopInTime() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        long pid = JSON.readTree(Files.readString(dbx.dataDir.resolve("eventdbx.pid")))
                .path("pid")
                .asLong();
        // A frozen process cannot handle SIGTERM; only the escalation to SIGKILL ends it.
        assertEquals(
                0,
                new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor());
        Dbx.Result stop = dbx.run("stop", "--timeout", "1");
        assertEquals(0, stop.exit(), stop.toString());
        assertTrue(stop.out().contains("did not stop within 1 s and was killed"), stop.toString());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(Files.exists(dbx.dataDir.resolve("eventdbx.pid")));
        assertEquals(0, dbx.run("start").exit(), "the lock died with the process: the data directory is usable again");
        assertEquals(0, dbx.run("stop").exit());
    }

    private static boolean waitForBundle(Dbx dbx, String name, boolean present) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            Dbx.Result list = dbx.run("bundle", "list");
            if (list.out().contains(name) == present) {
                return true;
            }
            Thread.sleep(250); // FileInstall polls the folder; there is no event to wait on from outside
        }
        return false;
    }
}
