package io.eventdbx.itests;

import static io.eventdbx.itests.RestClient.expect;
import static io.eventdbx.itests.RestClient.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQL sinks against real databases: a PostgreSQL server (Debian's) read back with psql, an SQLite file read back
 * with Python's sqlite3. The read model must equal the store's state, aggregate by aggregate and field by field, after
 * a database outage under writes, a bad value (dead, the rest goes on) and a replay (idempotent).
 */
class SinksIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    /** Waits until a plugin has delivered everything (no lag, nothing pending). */
    private static JsonNode caughtUp(Dbx dbx, String plugin) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            Dbx.Result listed = dbx.run("plugin", "list", "--json");
            assertEquals(0, listed.exit(), listed.toString());
            for (JsonNode p : JSON.readTree(listed.out())) {
                if (p.path("name").asText().equals(plugin)) {
                    last = p;
                    if (p.path("lag").asLong() == 0 && p.path("pending").asLong() == 0) {
                        return p;
                    }
                }
            }
            Thread.sleep(100); // polling a condition with a deadline
        }
        throw new AssertionError("plugin " + plugin + " did not catch up in 90 s: " + last);
    }

    private static void append(RestClient api, String token, String type, String id, String event, String payload)
            throws Exception {
        expect(
                201,
                null,
                api.append(
                        token,
                        "{\"aggregate_type\":\"" + type + "\",\"aggregate_id\":\"" + id + "\",\"event_type\":\"" + event
                                + "\",\"payload\":" + payload + "}"));
    }

    /** Every aggregate of a type, as the store has it: id to (version, state). */
    private static Map<String, JsonNode> store(RestClient api, String token, String type) throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode item : expect(200, null, api.get("/v1/aggregates?take=1000", token))
                .body()
                .path("items")) {
            if (item.path("aggregate_type").asText().equals(type)) {
                out.put(item.path("aggregate_id").asText(), item);
            }
        }
        return out;
    }

    /** A state value as a read model's text column holds it. */
    private static String text(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return null;
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }

    /** Writes a mix of aggregates: fields added over time, objects, numbers, a reserved word as a type. */
    private static void writeSome(RestClient api, String token, String prefix, int aggregates) throws Exception {
        for (int i = 0; i < aggregates; i++) {
            String id = prefix + i;
            append(
                    api,
                    token,
                    "patient",
                    id,
                    "patient-added",
                    "{\"name\":\"Patient " + i + "\",\"age\":" + (20 + i) + "}");
            append(
                    api,
                    token,
                    "patient",
                    id,
                    "patient-moved",
                    "{\"address\":{\"city\":\"City " + i + "\",\"zip\":\"0" + i + "\"},\"status\":\"active\"}");
            if (i % 3 == 0) {
                append(
                        api,
                        token,
                        "patient",
                        id,
                        "patient-updated",
                        "{\"status\":\"inactive\",\"note\":\"q\\\"uote, " + "comma\"}");
            }
            append(api, token, "order", "o-" + id, "placed", "{\"total\":" + i + ".5,\"lines\":[1,2]}");
        }
    }

    @Test
    void thePostgresReadModelEqualsTheStoreThroughAnOutageABadValueAndAReplay() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            Dbx dbx = new Dbx(temp);
            assertEquals(0, dbx.run("start").exit());
            try {
                RestClient api = new RestClient(dbx.httpPort);
                String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
                Dbx.Result configured = dbx.run("plugin", "postgres", "--connection", pg.connection());
                assertEquals(0, configured.exit(), configured.toString());
                assertEquals(
                        0,
                        dbx.run(
                                        "plugin",
                                        "map",
                                        "--plugin",
                                        "postgres",
                                        "--aggregate",
                                        "patient",
                                        "--field",
                                        "age",
                                        "--datatype",
                                        "integer")
                                .exit());
                Dbx.Result mapped = dbx.run(
                        "plugin",
                        "map",
                        "--plugin",
                        "postgres",
                        "--aggregate",
                        "patient",
                        "--field",
                        "address.city",
                        "--datatype",
                        "text",
                        "--column",
                        "city",
                        "--json");
                assertEquals(0, mapped.exit(), mapped.toString());
                Dbx.Result wrong = dbx.run(
                        "plugin",
                        "map",
                        "--plugin",
                        "postgres",
                        "--aggregate",
                        "patient",
                        "--field",
                        "age",
                        "--datatype",
                        "int; drop table patient");
                assertEquals(2, wrong.exit(), wrong.toString());
                assertTrue(wrong.err().contains("--datatype"), wrong.toString());

                writeSome(api, admin, "p-", 12);
                caughtUp(dbx, "postgres");
                compare(pg, api, admin);
                // typed as mapped
                assertEquals(
                        List.of(List.of("integer")),
                        pg.query("SELECT data_type FROM information_schema.columns"
                                + " WHERE table_name = 'patient' AND column_name = 'age'"));

                // a value the database will never take: that event is dead, the others go on
                append(api, admin, "patient", "bad", "patient-added", "{\"name\":\"Bad\",\"age\":\"forty\"}");
                append(api, admin, "patient", "p-0", "patient-updated", "{\"status\":\"after the bad one\"}");
                JsonNode listed = caughtUp(dbx, "postgres");
                assertEquals(1, listed.path("dead").asLong(), listed.toString());
                assertTrue(listed.path("last_error").asText().contains("integer"), listed.toString());
                assertEquals(
                        List.of(List.of("after the bad one")),
                        pg.query("SELECT status FROM patient WHERE aggregate_id = 'p-0'"));

                // PostgreSQL goes away while events are written, then comes back: nothing is lost
                pg.stopServer();
                writeSome(api, admin, "q-", 8);
                JsonNode waiting = null;
                for (JsonNode p :
                        JSON.readTree(dbx.run("plugin", "list", "--json").out())) {
                    waiting = p.path("name").asText().equals("postgres") ? p : waiting;
                }
                assertTrue(
                        waiting != null
                                && waiting.path("lag").asLong()
                                                + waiting.path("pending").asLong()
                                        > 0,
                        String.valueOf(waiting));
                pg.startServer();
                caughtUp(dbx, "postgres");
                compare(pg, api, admin);

                // kill -9 of the server while it writes and the sink delivers: after the restart the model is the
                // store's again (the cursor may deliver a batch twice: the guard makes that a no-op)
                java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
                java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
                Thread writer = new Thread(() -> {
                    for (int i = 0; writing.get(); i++) {
                        try {
                            append(
                                    api,
                                    admin,
                                    "patient",
                                    "k-" + (i % 50),
                                    "patient-updated",
                                    "{\"status\":\"s" + i + "\",\"age\":" + i + "}");
                            written.incrementAndGet();
                        } catch (Throwable serverGone) {
                            return;
                        }
                    }
                });
                writer.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (written.get() < 150 && System.nanoTime() < deadline) {
                    Thread.sleep(10); // polling a condition with a deadline
                }
                long pid = JSON.readTree(Files.readString(dbx.dataDir.resolve("eventdbx.pid")))
                        .path("pid")
                        .asLong();
                new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    assertTrue(System.nanoTime() < deadline, "the server did not die");
                    Thread.sleep(10); // polling a condition with a deadline
                }
                writing.set(false);
                writer.join(30_000);
                assertEquals(0, dbx.run("start").exit());
                caughtUp(dbx, "postgres");
                compare(pg, api, admin);

                // a replay delivers every event again: the version guard keeps the model as it is
                List<List<String>> before = pg.query("SELECT * FROM patient ORDER BY aggregate_id");
                Dbx.Result replay = dbx.run("plugin", "replay", "postgres", "patient");
                assertEquals(0, replay.exit(), replay.toString());
                caughtUp(dbx, "postgres");
                assertEquals(before, pg.query("SELECT * FROM patient ORDER BY aggregate_id"));

                // the connection string's password is never shown or logged
                String everything = dbx.run("plugin", "list", "--json").out()
                        + dbx.run("plugin", "list").out()
                        + Files.readString(dbx.dataDir.resolve("logs/eventdbx.log"));
                assertFalse(everything.contains("s3cret-pw"), "the password leaked");
            } finally {
                dbx.run("stop");
            }
        }
    }

    /** Every aggregate of both types, field by field, as the store has it. */
    private static void compare(PostgresServer pg, RestClient api, String admin) throws Exception {
        Map<String, JsonNode> patients = store(api, admin, "patient");
        patients.remove("bad"); // its only event is dead: it has no row
        List<List<String>> rows = pg.query("SELECT aggregate_id, version, merkle_root, name, age, status, note, city,"
                + " address FROM patient ORDER BY aggregate_id");
        assertEquals(patients.size(), rows.size(), rows.toString());
        for (List<String> row : rows) {
            JsonNode stored = patients.get(row.get(0));
            assertTrue(stored != null, "a row of no aggregate: " + row);
            JsonNode state = stored.path("state");
            assertEquals(stored.path("version").asText(), row.get(1), row.toString());
            assertEquals(stored.path("merkle_root").asText(), row.get(2));
            assertEquals(text(state.path("name")), row.get(3));
            assertEquals(text(state.path("age")), row.get(4));
            assertEquals(text(state.path("status")), row.get(5));
            assertEquals(text(state.path("note")), row.get(6));
            assertEquals(text(state.path("address").path("city")), row.get(7));
            assertEquals(state.path("address"), row.get(8) == null ? state.path("address") : JSON.readTree(row.get(8)));
            assertEquals(state.has("address"), row.get(8) != null, row.toString());
        }
        Map<String, JsonNode> orders = store(api, admin, "order");
        List<List<String>> orderRows = pg.query("SELECT aggregate_id, version, total, lines FROM \"order\"");
        assertEquals(orders.size(), orderRows.size());
        for (List<String> row : orderRows) {
            JsonNode state = orders.get(row.get(0)).path("state");
            assertEquals(text(state.path("total")), row.get(2), row.toString());
            assertEquals(state.path("lines"), JSON.readTree(row.get(3)));
        }
    }

    @Test
    void theSqliteReadModelIsReadBackByPythonsSqlite3() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        try {
            RestClient api = new RestClient(dbx.httpPort);
            String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
            Path file = temp.resolve("models/read.db");
            Dbx.Result relative = dbx.run("plugin", "sqlite", "--path", "read.db");
            assertEquals(2, relative.exit(), relative.toString());
            assertTrue(relative.err().contains("absolute"), relative.toString());
            Dbx.Result configured = dbx.run("plugin", "sqlite", "--path", file.toString(), "--events-table");
            assertEquals(0, configured.exit(), configured.toString());
            Dbx.Result notMappable = dbx.run("plugin", "config", "log", "--name", "lines", "--level", "info");
            assertEquals(0, notMappable.exit(), notMappable.toString());
            Dbx.Result refused = dbx.run(
                    "plugin",
                    "map",
                    "--plugin",
                    "lines",
                    "--aggregate",
                    "patient",
                    "--field",
                    "age",
                    "--datatype",
                    "integer");
            assertEquals(2, refused.exit(), refused.toString());
            assertTrue(refused.err().contains("takes no field mappings"), refused.toString());
            assertEquals(
                    0,
                    dbx.run(
                                    "plugin",
                                    "map",
                                    "--plugin",
                                    "sqlite",
                                    "--aggregate",
                                    "patient",
                                    "--field",
                                    "age",
                                    "--datatype",
                                    "integer")
                            .exit());

            writeSome(api, admin, "p-", 10);
            caughtUp(dbx, "sqlite");
            String script = "import json, sqlite3, sys\n"
                    + "c = sqlite3.connect(sys.argv[1])\n"
                    + "c.row_factory = sqlite3.Row\n"
                    + "out = {t: [dict(r) for r in c.execute('SELECT * FROM \"%s\"' % t)]"
                    + " for t in ('patient', 'order', 'patient__events', 'order__events')}\n"
                    + "out['age_type'] = c.execute('SELECT DISTINCT typeof(age) FROM patient').fetchall()[0][0]\n"
                    + "print(json.dumps(out))\n";
            Path py = temp.resolve("read.py");
            Files.writeString(py, script);
            RestConformanceIT.Run read =
                    RestConformanceIT.run(temp, Duration.ofMinutes(1), "python3", py.toString(), file.toString());
            assertEquals(0, read.exit(), read.out());
            JsonNode model = JSON.readTree(read.out());
            assertEquals("integer", model.path("age_type").asText());
            Map<String, JsonNode> patients = store(api, admin, "patient");
            assertEquals(patients.size(), model.path("patient").size());
            int events = 0;
            for (JsonNode row : model.path("patient")) {
                JsonNode stored = patients.get(row.path("aggregate_id").asText());
                JsonNode state = stored.path("state");
                assertEquals(
                        stored.path("version").asLong(), row.path("version").asLong(), row.toString());
                assertEquals(text(state.path("name")), row.path("name").asText());
                assertEquals(state.path("age").asLong(), row.path("age").asLong());
                assertEquals(text(state.path("status")), text(row.path("status")));
                assertEquals(text(state.path("note")), text(row.path("note")));
                assertEquals(
                        state.path("address"), JSON.readTree(row.path("address").asText()));
                events += stored.path("version").asInt();
            }
            assertEquals(events, model.path("patient__events").size(), "one row per event in the events table");
            assertEquals(store(api, admin, "order").size(), model.path("order").size());
            List<String> ids = new ArrayList<>();
            model.path("patient__events")
                    .forEach(e -> ids.add(e.path("event_id").asText()));
            assertEquals(ids.size(), ids.stream().distinct().count());
        } finally {
            dbx.run("stop");
        }
    }

    @Test
    void theCsvFilesAreReadBackByPythonsCsvModule() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        try {
            RestClient api = new RestClient(dbx.httpPort);
            String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
            Path dir = temp.resolve("csv-out");
            Dbx.Result configured = dbx.run("plugin", "csv", "--output-dir", dir.toString());
            assertEquals(0, configured.exit(), configured.toString());
            Dbx.Result refused = dbx.run(
                    "plugin",
                    "map",
                    "--plugin",
                    "csv",
                    "--aggregate",
                    "patient",
                    "--field",
                    "age",
                    "--datatype",
                    "integer");
            assertEquals(2, refused.exit(), refused.toString());
            writeSome(api, admin, "p-", 9);
            caughtUp(dbx, "csv");
            String script = "import csv, json, sys\n"
                    + "def rows(p):\n"
                    + "    with open(p, newline='', encoding='utf-8') as f:\n"
                    + "        return list(csv.DictReader(f))\n"
                    + "print(json.dumps({'state': rows(sys.argv[1] + '/patient.csv'),"
                    + " 'changes': rows(sys.argv[1] + '/patient.changes.csv')}))\n";
            Path py = temp.resolve("read_csv_model.py");
            Files.writeString(py, script);
            RestConformanceIT.Run read =
                    RestConformanceIT.run(temp, Duration.ofMinutes(1), "python3", py.toString(), dir.toString());
            assertEquals(0, read.exit(), read.out());
            JsonNode files = JSON.readTree(read.out());
            Map<String, JsonNode> patients = store(api, admin, "patient");
            assertEquals(patients.size(), files.path("state").size());
            int events = 0;
            for (JsonNode row : files.path("state")) {
                JsonNode stored = patients.get(row.path("aggregate_id").asText());
                JsonNode state = stored.path("state");
                assertEquals(
                        stored.path("version").asText(), row.path("version").asText(), row.toString());
                assertEquals(
                        stored.path("merkle_root").asText(),
                        row.path("merkle_root").asText());
                for (String field : List.of("name", "age", "status", "note")) {
                    assertEquals(
                            state.has(field) ? text(state.path(field)) : "",
                            row.path(field).asText(),
                            field);
                }
                assertEquals(
                        state.path("address"), JSON.readTree(row.path("address").asText()));
                events += stored.path("version").asInt();
            }
            assertEquals(events, files.path("changes").size(), "one change per event");
        } finally {
            dbx.run("stop");
        }
    }
}
