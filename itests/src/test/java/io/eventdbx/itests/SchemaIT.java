package io.eventdbx.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schemas through the launcher and a running server: every command, the restriction modes, live changes. */
class SchemaIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private static Dbx.Result ok(Dbx dbx, String... args) {
        Dbx.Result result = dbx.run(args);
        assertEquals(0, result.exit(), result.toString());
        return result;
    }

    private static String refused(Dbx dbx, int exit, String... args) {
        Dbx.Result result = dbx.run(args);
        assertEquals(exit, result.exit(), result.toString());
        return result.err();
    }

    private static JsonNode show(Dbx dbx, String... args) throws Exception {
        return JSON.readTree(ok(dbx, args).out());
    }

    @Test
    void everyCommandAndLiveEnforcementInTheRunningServer() throws Exception {
        Dbx dbx = new Dbx(temp);
        ok(dbx, "start", "--restrict=default");
        try {
            // without a schema, default mode accepts anything
            ok(dbx, "aggregate", "apply", "patient", "p-0", "anything", "--field", "x=1");
            ok(dbx, "schema", "create", "patient", "--events", "admitted,updated", "--snapshot-threshold", "5");
            assertTrue(refused(dbx, 2, "schema", "create", "patient", "--events", "x")
                    .contains("already exists"));
            ok(dbx, "schema", "add", "patient", "--events", "discharged,transferred");
            ok(dbx, "schema", "remove", "--aggregate", "patient", "transferred"); // EventfulDB's form
            assertTrue(refused(dbx, 2, "schema", "remove", "patient", "nope").contains("has no event nope"));
            ok(dbx, "schema", "annotate", "patient", "admitted", "--note", "first contact");
            JsonNode annotated = show(dbx, "schema", "show", "patient", "--json");
            assertEquals(
                    "first contact",
                    annotated.path("events").path("admitted").path("note").asText());
            ok(dbx, "schema", "annotate", "patient", "admitted", "--clear");
            JsonNode byFlag = show(dbx, "schema", "show", "--aggregate", "patient", "--json");
            assertTrue(byFlag.path("events").path("admitted").path("note").isNull());
            assertEquals(5, byFlag.path("version").asInt(), "every change is a version");
            assertEquals(5, byFlag.path("snapshot_threshold").asInt());

            // field rules, changed while the server runs: the next append is checked against them
            ok(dbx, "schema", "field", "patient", "age", "--type", "integer", "--range", "0..150", "--required");
            ok(dbx, "schema", "field", "patient", "mrn", "--regex", "[A-Z]{2}[0-9]{4}", "--length", "6..6");
            ok(dbx, "schema", "field", "patient", "ward", "--enum", "4a,4b,5");
            ok(dbx, "schema", "alter", "patient", "--field", "mrn", "--lock", "true");
            Dbx.Result first = ok(
                    dbx,
                    "aggregate",
                    "apply",
                    "patient",
                    "p-1",
                    "admitted",
                    "--field",
                    "age=42",
                    "--field",
                    "mrn=AB1234",
                    "--field",
                    "ward=4b",
                    "--json");
            assertEquals(
                    9,
                    JSON.readTree(first.out())
                            .path("metadata")
                            .path("schema_version")
                            .asInt());
            String range = refused(dbx, 2, "aggregate", "apply", "patient", "p-1", "updated", "--field", "age=151");
            assertTrue(
                    range.contains("aggregate type patient, event updated, field age: 151 is outside range 0..150"),
                    range);
            assertTrue(refused(dbx, 2, "aggregate", "apply", "patient", "p-1", "updated")
                    .contains("field age: required"));
            assertTrue(refused(
                            dbx,
                            2,
                            "aggregate",
                            "apply",
                            "patient",
                            "p-1",
                            "updated",
                            "--field",
                            "age=1",
                            "--field",
                            "ward=9")
                    .contains("is not one of 4a, 4b, 5"));
            assertTrue(refused(
                            dbx,
                            2,
                            "aggregate",
                            "apply",
                            "patient",
                            "p-1",
                            "updated",
                            "--field",
                            "age=1",
                            "--field",
                            "mrn=ZZ9999")
                    .contains("field mrn: the field is locked"));
            assertTrue(refused(
                            dbx,
                            2,
                            "aggregate",
                            "apply",
                            "patient",
                            "p-2",
                            "admitted",
                            "--field",
                            "age=1",
                            "--field",
                            "mrn=ab12")
                    .contains("does not match regex"));
            assertTrue(refused(dbx, 2, "aggregate", "apply", "patient", "p-1", "unknown", "--field", "age=1")
                    .contains("not declared"));

            // allowed fields of an event
            ok(dbx, "schema", "alter", "patient", "--event", "discharged", "--add", "age,reason");
            assertTrue(refused(
                            dbx,
                            2,
                            "aggregate",
                            "apply",
                            "patient",
                            "p-1",
                            "discharged",
                            "--field",
                            "age=1",
                            "--field",
                            "ward=4a")
                    .contains("field ward: not allowed for this event"));
            ok(
                    dbx,
                    "aggregate",
                    "apply",
                    "patient",
                    "p-1",
                    "discharged",
                    "--field",
                    "age=43",
                    "--field",
                    "reason=home");
            ok(dbx, "schema", "alter", "patient", "--event", "discharged", "--remove", "reason");

            // staged events: checked when staged, and again at commit
            ok(dbx, "aggregate", "apply", "patient", "p-3", "admitted", "--field", "age=30", "--stage");
            assertTrue(refused(dbx, 2, "aggregate", "apply", "patient", "p-3", "nope", "--stage")
                    .contains("not declared"));
            ok(dbx, "schema", "field", "patient", "age", "--range", "0..20");
            String commit = refused(dbx, 2, "aggregate", "commit");
            assertTrue(commit.contains("outside range 0..20") && commit.contains("nothing was committed"), commit);
            ok(dbx, "schema", "field", "patient", "age", "--range", "0..150");
            ok(dbx, "aggregate", "commit");

            // a locked type takes nothing; unlocking reopens it
            ok(dbx, "schema", "alter", "patient", "--lock", "true");
            assertTrue(refused(dbx, 2, "aggregate", "apply", "patient", "p-1", "updated", "--field", "age=1")
                    .contains("locked and accepts no new events"));
            ok(dbx, "schema", "alter", "patient", "--lock", "false");
            ok(dbx, "schema", "field", "patient", "ward", "--clear");
            ok(dbx, "aggregate", "apply", "patient", "p-1", "updated", "--field", "age=44", "--field", "ward=9");
            assertEquals(0, dbx.run("aggregate", "verify", "patient", "p-1").exit());

            Dbx.Result list = ok(dbx, "schema", "list", "--json");
            assertEquals(
                    "patient", JSON.readTree(list.out()).get(0).path("name").asText());
            assertTrue(refused(dbx, 2, "schema", "field", "patient", "x", "--type", "money")
                    .contains("--type must be"));
            assertTrue(refused(dbx, 2, "schema", "field", "patient", "x", "--range", "9..1")
                    .contains("lower bound"));
            assertTrue(refused(dbx, 2, "schema", "field", "patient", "x", "--regex", "(")
                    .contains("invalid --regex"));

            // reading needs schema.read, changing schema.write
            String reader = JSON.readTree(ok(dbx, "token", "generate", "--group", "g", "--user", "r", "--json")
                            .out())
                    .path("token")
                    .asText();
            ok(dbx, "schema", "show", "patient", "--token", reader);
            assertTrue(refused(dbx, 4, "schema", "add", "patient", "--events", "x", "--token", reader)
                    .contains("may not schema.write"));
        } finally {
            ok(dbx, "stop");
        }
    }

    @Test
    void restrictionModesAreChosenAtStartPersistedAndShown() throws Exception {
        Dbx dbx = new Dbx(temp);
        ok(dbx, "start", "--restrict=strict");
        try {
            assertEquals(
                    "strict", show(dbx, "status", "--json").path("restrict").asText());
            String strict = refused(dbx, 2, "aggregate", "apply", "order", "o-1", "placed");
            assertTrue(
                    strict.contains(
                            "aggregate order requires a schema before events can be appended when restrict=strict"),
                    strict);
            ok(dbx, "schema", "create", "order", "--events", "placed");
            ok(dbx, "aggregate", "apply", "order", "o-1", "placed");
        } finally {
            ok(dbx, "stop");
        }
        // persisted: a plain start keeps strict
        ok(dbx, "start");
        try {
            assertEquals(
                    "strict", show(dbx, "status", "--json").path("restrict").asText());
        } finally {
            ok(dbx, "stop");
        }
        ok(dbx, "start", "--restrict=false"); // alias of off
        try {
            assertEquals("off", show(dbx, "status", "--json").path("restrict").asText());
            ok(dbx, "aggregate", "apply", "order", "o-1", "not-declared");
            JsonNode event = JSON.readTree(ok(dbx, "aggregate", "apply", "invoice", "i-1", "x", "--json")
                    .out());
            assertTrue(event.path("metadata").path("schema_version").isMissingNode(), "off: no schema applied");
        } finally {
            ok(dbx, "stop");
        }
    }
}
