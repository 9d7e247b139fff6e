package io.eventdbx.sink.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Envelope;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read model against a real SQLite file. */
class SqlEmitterTest {

    @TempDir
    Path dir;

    private final List<SqlEmitter> open = new ArrayList<>();
    private long position;

    @AfterEach
    void close() {
        open.forEach(SqlEmitter::close);
    }

    private SqlEmitter emitter(Map<String, List<String>> options) {
        String url = "jdbc:sqlite:" + dir.resolve("model.db");
        SqlEmitter emitter = new SqlEmitter(
                "test db", () -> DriverManager.getConnection(url), new ReadModel(ReadModel.Settings.from(options)));
        open.add(emitter);
        return emitter;
    }

    private Envelope event(String type, String id, long version, String payload) {
        position++;
        String json = "{\"aggregate_type\":\"" + type + "\",\"aggregate_id\":\"" + id + "\",\"event_type\":\"changed\","
                + "\"payload\":" + payload + ",\"metadata\":{\"event_id\":\"e-" + position + "\",\"created_at\":"
                + "\"2026-12-02T10:00:0" + (version % 10) + "Z\"},\"version\":" + version + ",\"hash\":\"h\","
                + "\"merkle_root\":\"root-" + version + "\"}";
        return new Envelope(position, type, id, "changed", "e-" + position, version, json);
    }

    private List<Map<String, Object>> rows(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("model.db"));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<Map<String, Object>> out = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                }
                out.add(row);
            }
            return out;
        }
    }

    @Test
    void aRowFollowsTheStateAndAnOlderOrRepeatedEventChangesNothing() throws Exception {
        SqlEmitter emitter = emitter(Map.of());
        Envelope first = event("patient", "p-1", 1, "{\"name\":\"Jane\",\"status\":\"active\",\"age\":41}");
        Envelope second = event("patient", "p-1", 2, "{\"status\":\"inactive\",\"address\":{\"city\":\"Oslo\"}}");
        assertEquals(Delivery.delivered(2), emitter.deliver(List.of(first, second)));
        assertEquals(Delivery.delivered(1), emitter.deliver(List.of(first))); // redelivered: the guard holds
        Map<String, Object> row = rows("SELECT * FROM patient").get(0);
        assertEquals("p-1", row.get("aggregate_id"));
        assertEquals(2, ((Number) row.get("version")).intValue());
        assertEquals("Jane", row.get("name"));
        assertEquals("inactive", row.get("status"));
        assertEquals("41", row.get("age"), "unmapped fields are text, as the state keeps them");
        assertEquals("{\"city\":\"Oslo\"}", row.get("address"));
        assertEquals("root-2", row.get("merkle_root"));
        assertEquals("changed", row.get("last_event_type"));
    }

    @Test
    void mappedFieldsGetTheirTypeAndColumnAndNestedPathsTheirOwnColumn() throws Exception {
        List<String> map = FieldMapping.with(
                FieldMapping.with(null, new FieldMapping("patient", "age", "integer", null)),
                new FieldMapping("patient", "address.city", "text", "city"));
        SqlEmitter emitter =
                emitter(Map.of("map", map, "events-table", List.of("true"), "table-prefix", List.of("rm_")));
        emitter.deliver(List.of(
                event("patient", "p-1", 1, "{\"age\":41,\"address\":{\"city\":\"Oslo\",\"zip\":\"0150\"}}"),
                event("patient", "p-2", 1, "{\"age\":7}"),
                event("order", "o-1", 1, "{\"total\":10.50,\"version\":3}")));
        List<Map<String, Object>> patients =
                rows("SELECT aggregate_id, age, typeof(age) AS t, city FROM rm_patient" + " ORDER BY aggregate_id");
        assertEquals(41, ((Number) patients.get(0).get("age")).intValue());
        assertEquals("integer", patients.get(0).get("t"));
        assertEquals("Oslo", patients.get(0).get("city"));
        assertNull(patients.get(1).get("city"));
        Map<String, Object> order = rows("SELECT * FROM rm_order").get(0);
        assertEquals("10.50", order.get("total"), "numbers keep their digits");
        assertEquals("3", order.get("state_version"), "a field named like a system column is prefixed");
        assertEquals(
                3,
                rows("SELECT * FROM rm_patient__events").size()
                        + rows("SELECT * FROM rm_order__events").size());
        // a later event that replaces address clears the mapped path it no longer has
        emitter.deliver(List.of(event("patient", "p-1", 2, "{\"address\":{\"zip\":\"0151\"}}")));
        assertNull(rows("SELECT city FROM rm_patient WHERE aggregate_id = 'p-1'")
                .get(0)
                .get("city"));
    }

    @Test
    void anUnreachableDatabaseIsReportedAsSuchAndMappingsAreChecked() {
        SqlEmitter emitter = new SqlEmitter(
                "nowhere",
                () -> DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("missing/dir/that/cannot/x.db")),
                new ReadModel(ReadModel.Settings.from(Map.of())));
        open.add(emitter);
        Delivery delivery = emitter.deliver(List.of(event("t", "a", 1, "{}")));
        assertEquals(Delivery.Outcome.UNREACHABLE, delivery.outcome(), delivery.toString());
        assertTrue(delivery.reason().startsWith("nowhere"), delivery.reason());
        assertThrows(IllegalArgumentException.class, () -> new FieldMapping("t", "a", "integer; drop table x", null));
        assertThrows(IllegalArgumentException.class, () -> new FieldMapping("t", "a", "text", "version"));
        assertThrows(IllegalArgumentException.class, () -> FieldMapping.parse("t|a"));
        assertThrows(
                IllegalArgumentException.class,
                () -> ReadModel.Settings.from(Map.of("table-prefix", List.of("x; drop"))));
        assertEquals("numeric(10,2)", new FieldMapping("t", "a", "NUMERIC(10,2)", null).sqlType());
        assertEquals("address_city", new FieldMapping("t", "address.city", "text", null).column());
    }
}
