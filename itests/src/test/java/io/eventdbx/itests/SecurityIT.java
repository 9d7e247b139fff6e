package io.eventdbx.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventdbx.control.protocol.AuthenticationException;
import io.eventdbx.control.protocol.ControlClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security through the real server: the authorization matrix (each command against every kind of token, over
 * the control socket), the auditor case, attribution, encryption at rest (a marker scanned for in every file
 * of the data directory) and key rotation.
 */
class SecurityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int UNAUTHENTICATED = 3;
    private static final int DENIED = 4;

    @TempDir
    Path temp;

    /** One command run over the control socket. */
    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static InetSocketAddress control(Dbx dbx) throws IOException {
        String[] endpoint = JSON.readTree(Files.readString(dbx.dataDir.resolve("eventdbx.pid")))
                .path("control")
                .asText()
                .split(":");
        return new InetSocketAddress(endpoint[0], Integer.parseInt(endpoint[1]));
    }

    private static Run as(InetSocketAddress server, String token, String... argv) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ControlClient client = ControlClient.connect(server, token, 5_000)) {
            int exit = client.execute(List.of(argv), out, err);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (AuthenticationException e) {
            return new Run(UNAUTHENTICATED, "", e.getMessage());
        }
    }

    private static String token(Dbx dbx, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("token", "generate", "--json"));
        args.addAll(List.of(options));
        Dbx.Result result = dbx.run(args.toArray(String[]::new));
        assertEquals(0, result.exit(), result.toString());
        return JSON.readTree(result.out()).path("token").asText();
    }

    /** The same token with its claims rewritten to grant admin, the signature kept. */
    private static String forge(String token) {
        String[] parts = token.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String more = claims.replaceFirst("\"actions\":\\[[^\\]]*\\]", "\"actions\":[\"admin\"]");
        assertFalse(more.equals(claims));
        return parts[0] + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(more.getBytes(StandardCharsets.UTF_8)) + "."
                + parts[2];
    }

    /** A command of the matrix: its arguments, and whether it writes (so a used-up write limit refuses it). */
    record Command(String name, boolean writes, boolean admin, String... argv) {}

    @Test
    void authorizationMatrix() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        try {
            String expiring =
                    token(dbx, "--group", "g", "--user", "expiring", "--expiration", "1", "--action", "admin");
            long expiringIssuedAt = System.nanoTime(); // the token was issued before this
            for (int i = 1; i <= 3; i++) {
                assertEquals(
                        0,
                        dbx.run("aggregate", "apply", "patient", "p-" + i, "admitted", "--field", "ward=" + i)
                                .exit());
            }
            String allowed = token(
                    dbx,
                    "--group",
                    "g",
                    "--user",
                    "allowed",
                    "--action",
                    "aggregate.read",
                    "--action",
                    "aggregate.append",
                    "--action",
                    "aggregate.archive",
                    "--action",
                    "aggregate.snapshot",
                    "--action",
                    "token.manage",
                    "--action",
                    "admin");
            String revoked = token(dbx, "--group", "g", "--user", "revoked", "--action", "admin");
            assertEquals(0, dbx.run("token", "revoke", "--token", revoked).exit());
            String wrongScope = token(
                    dbx,
                    "--group",
                    "g",
                    "--user",
                    "elsewhere",
                    "--action",
                    "aggregate.read",
                    "--action",
                    "aggregate.append",
                    "--action",
                    "aggregate.archive",
                    "--action",
                    "aggregate.snapshot",
                    "--resource",
                    "aggregate:order:*");
            String exhausted = token(
                    dbx,
                    "--group",
                    "g",
                    "--user",
                    "exhausted",
                    "--limit",
                    "0",
                    "--action",
                    "aggregate.read",
                    "--action",
                    "aggregate.append",
                    "--action",
                    "aggregate.archive",
                    "--action",
                    "aggregate.snapshot",
                    "--action",
                    "token.manage",
                    "--action",
                    "admin");
            String forged = forge(wrongScope);
            InetSocketAddress server = control(dbx);

            List<Command> commands = List.of(
                    new Command("apply", true, false, "aggregate", "apply", "patient", "p-1", "seen", "--field", "a=1"),
                    new Command(
                            "stage",
                            true,
                            false,
                            "aggregate",
                            "apply",
                            "patient",
                            "p-2",
                            "seen",
                            "--field",
                            "a=1",
                            "--stage"),
                    new Command("create", false, false, "aggregate", "create", "patient", "p-new"),
                    new Command("get", false, false, "aggregate", "get", "patient", "p-1"),
                    new Command("replay", false, false, "aggregate", "replay", "patient", "p-1"),
                    new Command("verify", false, false, "aggregate", "verify", "patient", "p-1"),
                    new Command("proof", false, false, "aggregate", "proof", "patient", "p-1", "--version", "1"),
                    new Command(
                            "consistency",
                            false,
                            false,
                            "aggregate",
                            "consistency",
                            "patient",
                            "p-1",
                            "--from",
                            "1",
                            "--to",
                            "1"),
                    new Command("snapshot", false, false, "aggregate", "snapshot", "patient", "p-1"),
                    new Command("archive", false, false, "aggregate", "archive", "patient", "p-3"),
                    new Command("list", false, false, "aggregate", "list"),
                    new Command("events", false, false, "events"),
                    new Command("token list", false, false, "token", "list"),
                    new Command("schema list", false, false, "schema", "list"),
                    new Command("plugin list", false, false, "plugin", "list"),
                    new Command("queue", false, false, "queue"),
                    new Command("config", false, true, "config"),
                    new Command("bundle list", false, true, "bundle", "list"),
                    new Command("status", false, true, "status"));

            Map<String, String> failures = new LinkedHashMap<>();
            for (Command c : commands) {
                check(failures, c, "no token", as(server, "", c.argv()), UNAUTHENTICATED);
                check(failures, c, "forged", as(server, forged, c.argv()), UNAUTHENTICATED);
                check(failures, c, "revoked", as(server, revoked, c.argv()), UNAUTHENTICATED);
                Run scoped = as(server, wrongScope, c.argv());
                if (c.name().equals("list") || c.name().equals("events")) {
                    // listings are filtered to what the token may read: here, nothing of patient
                    check(failures, c, "wrong scope", scoped, 0);
                    if (scoped.out().contains("p-1")) {
                        failures.put(c.name() + " / wrong scope", "shows p-1:\n" + scoped);
                    }
                } else {
                    check(failures, c, "wrong scope", scoped, DENIED);
                }
                check(failures, c, "limit reached", as(server, exhausted, c.argv()), c.writes() ? DENIED : 0);
                if (c.name().equals("archive")) {
                    assertEquals(
                            0, dbx.run("aggregate", "restore", "patient", "p-3").exit());
                }
                if (c.name().equals("create")) {
                    assertEquals(
                            0,
                            dbx.run("aggregate", "remove", "patient", "p-new").exit());
                }
                check(failures, c, "allowed", as(server, allowed, c.argv()), 0);
            }
            // expired: wait out the lifetime and the 30 s of clock skew
            // lifetime 1 s + 30 s of skew, checked in whole seconds: 33 s after issue is past it
            long waitMillis = 33_000 - (System.nanoTime() - expiringIssuedAt) / 1_000_000;
            if (waitMillis > 0) {
                Thread.sleep(waitMillis); // a token's expiry is a point in time: nothing to poll
            }
            for (Command c : commands) {
                check(failures, c, "expired", as(server, expiring, c.argv()), UNAUTHENTICATED);
            }
            assertTrue(
                    failures.isEmpty(),
                    "matrix failures:\n"
                            + String.join(
                                    "\n",
                                    failures.entrySet().stream()
                                            .map(e -> e.getKey() + ": " + e.getValue())
                                            .toList()));

            // each administrative command needs its own action, and that action lets in nothing else
            String pluginManager = token(dbx, "--group", "g", "--user", "ops", "--action", "plugin.manage");
            String schemaReader = token(dbx, "--group", "g", "--user", "modeler", "--action", "schema.read");
            String tokenManager = token(dbx, "--group", "g", "--user", "keys", "--action", "token.manage");
            Map<String, Integer> expected = new LinkedHashMap<>();
            expected.put(pluginManager + " plugin list", 0);
            expected.put(pluginManager + " queue", 0);
            expected.put(pluginManager + " token list", DENIED);
            expected.put(pluginManager + " schema list", DENIED);
            expected.put(schemaReader + " schema list", 0);
            expected.put(schemaReader + " schema create ward --events admitted", DENIED);
            expected.put(schemaReader + " plugin list", DENIED);
            expected.put(tokenManager + " token list", 0);
            expected.put(tokenManager + " queue", DENIED);
            expected.put(tokenManager + " schema list", DENIED);
            for (Map.Entry<String, Integer> e : expected.entrySet()) {
                String[] words = e.getKey().split(" ");
                Run run = as(server, words[0], java.util.Arrays.copyOfRange(words, 1, words.length));
                assertEquals((int) e.getValue(), run.exit(), e.getKey().substring(words[0].length()) + ": " + run);
                if (e.getValue() == DENIED) {
                    assertTrue(run.err().contains("forbidden"), run.toString());
                }
            }

            Run expired = as(server, expiring, "aggregate", "list");
            assertTrue(expired.err().contains("expired"), expired.toString());
            assertFalse(expired.err().contains(expiring), "the message does not echo the token");
        } finally {
            assertEquals(0, dbx.run("stop").exit());
        }
    }

    private static void check(Map<String, String> failures, Command c, String kind, Run run, int expected) {
        if (run.exit() != expected) {
            failures.put(c.name() + " / " + kind, "expected exit " + expected + " but got:\n" + run);
        }
    }

    @Test
    void anAuditorSeesItsAggregatesAndTheEventsRecordWhoWroteThem() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        try {
            InetSocketAddress server = control(dbx);
            String clerk = token(dbx, "--group", "clinic", "--user", "clerk");
            for (String id : new String[] {"p-1", "p-2", "p-3"}) {
                Run apply = as(
                        server, clerk, "aggregate", "apply", "patient", id, "admitted", "--field", "ward=4b", "--json");
                assertEquals(0, apply.exit(), apply.toString());
                JsonNode issued = JSON.readTree(apply.out()).path("metadata").path("issued_by");
                assertEquals("clinic", issued.path("group").asText());
                assertEquals("clerk", issued.path("user").asText());
            }
            String auditor = token(
                    dbx,
                    "--group",
                    "auditors",
                    "--user",
                    "ann",
                    "--action",
                    "aggregate.read",
                    "--resource",
                    "aggregate:patient:p-1",
                    "--resource",
                    "aggregate:patient:p-3");
            Run list = as(server, auditor, "aggregate", "list", "--json");
            assertEquals(0, list.exit(), list.toString());
            List<String> seen = new ArrayList<>();
            JSON.readTree(list.out())
                    .path("items")
                    .forEach(i -> seen.add(i.path("aggregate_id").asText()));
            assertEquals(List.of("p-1", "p-3"), seen);
            assertEquals(
                    0, as(server, auditor, "aggregate", "get", "patient", "p-1").exit());
            assertEquals(
                    0,
                    as(server, auditor, "aggregate", "verify", "patient", "p-3").exit());
            assertEquals(
                    DENIED,
                    as(server, auditor, "aggregate", "get", "patient", "p-2").exit());
            assertEquals(
                    DENIED,
                    as(server, auditor, "aggregate", "apply", "patient", "p-1", "x", "--field", "a=1")
                            .exit());
            Run events = as(server, auditor, "events", "--json");
            assertEquals(0, events.exit(), events.toString());
            assertEquals(2, JSON.readTree(events.out()).size(), events.toString());
            // the launcher passes --token and EVENTDBX_TOKEN too
            Dbx.Result viaLauncher = dbx.run("aggregate", "get", "patient", "p-2", "--token", auditor);
            assertEquals(DENIED, viaLauncher.exit(), viaLauncher.toString());
            assertTrue(viaLauncher.err().contains("forbidden"), viaLauncher.toString());
            Dbx.Result viaEnvironment =
                    dbx.runWith(Map.of("EVENTDBX_TOKEN", auditor), "", "aggregate", "get", "patient", "p-1", "--json");
            assertEquals(0, viaEnvironment.exit(), viaEnvironment.toString());
            assertEquals(
                    DENIED,
                    dbx.runWith(Map.of("EVENTDBX_TOKEN", auditor), "", "aggregate", "get", "patient", "p-2")
                            .exit());
            assertEquals(
                    UNAUTHENTICATED,
                    dbx.runWith(Map.of("EVENTDBX_TOKEN", "nonsense"), "", "aggregate", "list")
                            .exit());
        } finally {
            assertEquals(0, dbx.run("stop").exit());
        }
    }

    @Test
    void nothingWrittenIsReadableOnDiskAndRotatedKeysKeepItReadable() throws Exception {
        String marker = "Zq7-marker-" + System.nanoTime();
        Dbx dbx = new Dbx(temp);
        // the first explicit key configuration must set both keys
        Dbx.Result half = dbx.run("config", "--master-key", "a-long-master-secret-1");
        assertEquals(2, half.exit(), half.toString());
        assertEquals(0, dbx.run("start").exit());
        try {
            assertEquals(
                    0,
                    dbx.run("aggregate", "apply", "patient", "p-1", "admitted", "--field", "name=" + marker)
                            .exit());
            assertEquals(0, dbx.run("aggregate", "snapshot", "patient", "p-1").exit());
            assertEquals(
                    0,
                    dbx.run("aggregate", "apply", "patient", "p-2", "admitted", "--field", "name=" + marker, "--stage")
                            .exit());
            assertEquals(
                    0,
                    dbx.run("token", "generate", "--group", "g", "--user", "u").exit());
            Dbx.Result rotate =
                    dbx.run("config", "--master-key", "a-long-master-secret-1", "--dek", "a-long-data-key-secret-1");
            assertEquals(0, rotate.exit(), rotate.toString());
            assertFalse(rotate.out().contains("a-long"), "no secret in the output: " + rotate);
            Dbx.Result afterRotation =
                    dbx.run("aggregate", "apply", "patient", "p-1", "updated", "--field", "note=" + marker);
            assertEquals(0, afterRotation.exit(), afterRotation.toString());
            assertEquals(
                    0, dbx.run("config", "--dek", "a-long-data-key-secret-2").exit());
        } finally {
            assertEquals(0, dbx.run("stop").exit());
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dbx.dataDir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().endsWith(".sst")), "flushed to SST files");
        assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().endsWith(".log")), "a write-ahead log");
        byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            assertFalse(contains(bytes, needle), "the marker is readable in " + file);
        }
        // the keys themselves never reach the log
        String log = Files.readString(dbx.dataDir.resolve("logs/eventdbx.log"));
        assertFalse(
                log.contains(
                        Files.readString(dbx.dataDir.resolve("keys/master.key")).strip()),
                "master key in the log");
        assertFalse(log.contains("a-long-"), "a configured secret in the log");
        assertTrue(log.contains(dbx.dataDir.resolve("keys").toString()), "the log says where the generated keys are");
        // a restarted server (keys from the files only) reads everything back, before and after both rotations
        assertEquals(0, dbx.run("start").exit());
        try {
            Dbx.Result state = dbx.run("aggregate", "get", "patient", "p-1", "--json");
            assertEquals(0, state.exit(), state.toString());
            assertEquals(
                    marker,
                    JSON.readTree(state.out()).path("state").path("name").asText());
            assertEquals(
                    marker,
                    JSON.readTree(state.out()).path("state").path("note").asText());
            Dbx.Result staged = dbx.run("aggregate", "list", "--stage", "--json");
            assertTrue(staged.out().contains(marker), staged.toString());
            assertEquals(0, dbx.run("aggregate", "verify", "patient", "p-1").exit());
            assertEquals(0, dbx.run("token", "list").exit());
        } finally {
            assertEquals(0, dbx.run("stop").exit());
        }
        // without a server, the embedded runtime checks tokens the same way
        String reader = token(dbx, "--group", "g", "--user", "reader", "--action", "aggregate.read");
        Dbx.Result embeddedRead = dbx.run("aggregate", "get", "patient", "p-1", "--token", reader);
        assertEquals(0, embeddedRead.exit(), embeddedRead.toString());
        Dbx.Result embeddedWrite =
                dbx.run("aggregate", "apply", "patient", "p-1", "x", "--field", "a=1", "--token", reader);
        assertEquals(DENIED, embeddedWrite.exit(), embeddedWrite.toString());
        Dbx.Result embeddedForged = dbx.run("aggregate", "get", "patient", "p-1", "--token", forge(reader));
        assertEquals(UNAUTHENTICATED, embeddedForged.exit(), embeddedForged.toString());
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
