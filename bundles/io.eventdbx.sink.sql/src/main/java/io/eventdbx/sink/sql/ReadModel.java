package io.eventdbx.sink.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventdbx.emitter.api.EmitterFactory;
import io.eventdbx.emitter.api.Envelope;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The read model of one sink instance: per aggregate type, a table of current state with one row per aggregate and a
 * column per state field, and optionally a table of the events. An event's payload members replace the same
 * members of the state (the store's own fold), so a row is brought up to date from the event alone: an upsert of the
 * payload's columns, guarded by version so that an older or repeated event never overwrites a newer state (delivery
 * is at least once). Tables and columns are created as types and fields appear; mapped fields get their SQL type
 * and column, others a text column named after them. Not thread-safe: one dispatcher thread uses an instance.
 */
public final class ReadModel {

    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
            .build();
    private static final String TEXT = "text";
    private static final String EVENTS_SUFFIX = "__events";

    /**
     * What an instance keeps and how.
     *
     * @param tablePrefix put before every table name (may be empty)
     * @param eventsTable whether to keep a table of the events too ({@code <table>__events})
     * @param mappings the field mappings, by aggregate type then field
     */
    public record Settings(String tablePrefix, boolean eventsTable, Map<String, Map<String, FieldMapping>> mappings) {
        /** Copies the mappings and checks the prefix. */
        public Settings {
            tablePrefix = tablePrefix == null ? "" : tablePrefix;
            if (!tablePrefix.isEmpty() && !tablePrefix.matches("[A-Za-z_][A-Za-z0-9_]{0,30}")) {
                throw new IllegalArgumentException(
                        "--table-prefix must be letters, digits and underscores (at most 31), got '" + tablePrefix
                                + "'");
            }
            mappings = Map.copyOf(mappings);
        }

        /** The options every SQL sink takes besides where its database is. */
        public static final List<EmitterFactory.Option> OPTIONS = List.of(
                new EmitterFactory.Option(
                        "table-prefix", "put before every table name (default: none)", false, false, false, false),
                new EmitterFactory.Option(
                        "events-table", "also keep every event in <table>__events", false, false, true, false),
                new EmitterFactory.Option(
                        "map",
                        "a field mapping aggregate|field|sql-type[|column] (dbx plugin map writes these)",
                        false,
                        true,
                        false,
                        false));

        /**
         * The settings in an instance's options.
         *
         * @param options the options
         * @return the settings
         * @throws IllegalArgumentException naming a bad option
         */
        public static Settings from(Map<String, List<String>> options) {
            List<String> prefix = options.get("table-prefix");
            List<String> events = options.get("events-table");
            return new Settings(
                    prefix == null || prefix.isEmpty() ? "" : prefix.get(0),
                    events != null && !events.isEmpty() && Boolean.parseBoolean(events.get(0)),
                    FieldMapping.byType(options.get("map")));
        }
    }

    /** One column's value for a row: its name, SQL type and text (null for SQL NULL). */
    record Cell(String column, String sqlType, String text) {}

    /** An envelope ready to write. */
    record Row(
            String table,
            String aggregateId,
            long version,
            String merkleRoot,
            String createdAt,
            String eventType,
            String eventId,
            long position,
            String payload,
            List<Cell> cells) {}

    private final Settings settings;
    /** The columns each table has, as last read or made; forgotten after a failure (DDL may have rolled back). */
    private final Map<String, Set<String>> columns = new HashMap<>();

    private final Map<String, String> upserts = new HashMap<>();

    public ReadModel(Settings settings) {
        this.settings = settings;
    }

    /** Forgets what it knew of the database's tables: after a rollback or a new connection. */
    public void forget() {
        columns.clear();
    }

    /**
     * Writes envelopes in order within the connection's current transaction (the caller commits).
     *
     * @param connection the connection, auto-commit off
     * @param batch the envelopes
     * @throws SQLException as the database answered
     */
    public void apply(Connection connection, List<Envelope> batch) throws SQLException {
        List<Row> rows = new ArrayList<>(batch.size());
        for (Envelope envelope : batch) {
            Row row = row(envelope);
            ensure(connection, row);
            rows.add(row);
        }
        // consecutive rows with the same columns go as one JDBC batch; a lone row as a plain statement, whose error
        // is the database's own words (a batch's error names the batch entry first)
        List<String> statements = rows.stream().map(this::upsert).toList();
        int start = 0;
        while (start < rows.size()) {
            String sql = statements.get(start);
            int end = start + 1;
            while (end < rows.size() && statements.get(end).equals(sql)) {
                end++;
            }
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                if (end - start == 1) {
                    bind(statement, rows.get(start));
                    statement.executeUpdate();
                } else {
                    for (Row row : rows.subList(start, end)) {
                        bind(statement, row);
                        statement.addBatch();
                    }
                    statement.executeBatch();
                }
            }
            start = end;
        }
        if (settings.eventsTable()) {
            insertEvents(connection, rows);
        }
    }

    /** The row an envelope brings: the system columns and a cell per payload field and mapped path. */
    Row row(Envelope envelope) {
        JsonNode record;
        try {
            record = JSON.readTree(envelope.json());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the event record is not JSON: " + e.getOriginalMessage());
        }
        JsonNode payload = record.path("payload");
        Map<String, FieldMapping> mapped = settings.mappings().getOrDefault(envelope.aggregateType(), Map.of());
        Map<String, Cell> cells = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = payload.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            FieldMapping mapping = mapped.get(field.getKey());
            String column = mapping != null ? mapping.column() : Names.column(field.getKey());
            cells.put(column, new Cell(column, mapping != null ? mapping.sqlType() : TEXT, text(field.getValue())));
        }
        for (FieldMapping mapping : mapped.values()) {
            int dot = mapping.field().indexOf('.');
            if (dot < 0 || !payload.has(mapping.field().substring(0, dot))) {
                continue; // a path into a member this event does not replace keeps its value
            }
            JsonNode value = payload;
            for (String step : mapping.field().split("\\.")) {
                value = value.path(step);
            }
            cells.put(mapping.column(), new Cell(mapping.column(), mapping.sqlType(), text(value)));
        }
        return new Row(
                Names.table(settings.tablePrefix(), envelope.aggregateType()),
                envelope.aggregateId(),
                envelope.version(),
                record.path("merkle_root").asText(null),
                record.path("metadata").path("created_at").asText(null),
                envelope.eventType(),
                envelope.eventId(),
                envelope.position(),
                payload.toString(),
                new ArrayList<>(cells.values()));
    }

    /** A JSON value as the state keeps it: scalars as their text, objects and arrays as JSON, null as NULL. */
    static String text(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.asText();
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }

    /** Creates the row's table and columns if they are not there yet. */
    private void ensure(Connection connection, Row row) throws SQLException {
        Set<String> known = columns.get(row.table());
        if (known == null) {
            known = existingColumns(connection, row.table());
            try (Statement ddl = connection.createStatement()) {
                if (known.isEmpty()) {
                    ddl.execute("CREATE TABLE IF NOT EXISTS " + Names.quote(row.table()) + " ("
                            + "\"aggregate_id\" text PRIMARY KEY, \"version\" bigint NOT NULL, \"merkle_root\" text, "
                            + "\"updated_at\" text, \"last_event_type\" text, \"last_event_id\" text)");
                    known = new HashSet<>(Names.SYSTEM_COLUMNS);
                }
                if (settings.eventsTable()) {
                    ddl.execute("CREATE TABLE IF NOT EXISTS " + Names.quote(row.table() + EVENTS_SUFFIX) + " ("
                            + "\"event_id\" text PRIMARY KEY, \"aggregate_id\" text NOT NULL, "
                            + "\"version\" bigint NOT NULL, \"event_type\" text, \"payload\" text, "
                            + "\"created_at\" text, \"position\" bigint)");
                }
            }
            columns.put(row.table(), known);
        }
        for (Cell cell : row.cells()) {
            if (!known.contains(cell.column())) {
                try (Statement ddl = connection.createStatement()) {
                    ddl.execute("ALTER TABLE " + Names.quote(row.table()) + " ADD COLUMN " + Names.quote(cell.column())
                            + " " + cell.sqlType());
                }
                known.add(cell.column());
            }
        }
    }

    private static Set<String> existingColumns(Connection connection, String table) throws SQLException {
        Set<String> out = new HashSet<>();
        DatabaseMetaData meta = connection.getMetaData();
        // the table in the connection's own schema (PostgreSQL's current one; SQLite has none), not a namesake
        // elsewhere, whose columns would make the sink skip creating its own table
        try (ResultSet rs = meta.getColumns(null, connection.getSchema(), table, null)) {
            while (rs.next()) {
                out.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** The upsert of a row's columns: a newer version wins, an older or equal one changes nothing. */
    private String upsert(Row row) {
        StringBuilder key = new StringBuilder(row.table());
        for (Cell cell : row.cells()) {
            key.append('|').append(cell.column()).append(':').append(cell.sqlType());
        }
        return upserts.computeIfAbsent(key.toString(), k -> {
            String table = Names.quote(row.table());
            StringBuilder names = new StringBuilder(
                    "\"aggregate_id\", \"version\", \"merkle_root\", \"updated_at\", \"last_event_type\", \"last_event_id\"");
            StringBuilder values = new StringBuilder("?, ?, ?, ?, ?, ?");
            StringBuilder updates = new StringBuilder("\"version\" = excluded.\"version\", \"merkle_root\" = "
                    + "excluded.\"merkle_root\", \"updated_at\" = excluded.\"updated_at\", \"last_event_type\" = "
                    + "excluded.\"last_event_type\", \"last_event_id\" = excluded.\"last_event_id\"");
            for (Cell cell : row.cells()) {
                String column = Names.quote(cell.column());
                names.append(", ").append(column);
                values.append(cell.sqlType().equals(TEXT) ? ", ?" : ", CAST(? AS " + cell.sqlType() + ")");
                updates.append(", ").append(column).append(" = excluded.").append(column);
            }
            return "INSERT INTO " + table + " (" + names + ") VALUES (" + values + ") ON CONFLICT (\"aggregate_id\")"
                    + " DO UPDATE SET " + updates + " WHERE " + table + ".\"version\" < excluded.\"version\"";
        });
    }

    private static void bind(PreparedStatement statement, Row row) throws SQLException {
        statement.setString(1, row.aggregateId());
        statement.setLong(2, row.version());
        statement.setString(3, row.merkleRoot());
        statement.setString(4, row.createdAt());
        statement.setString(5, row.eventType());
        statement.setString(6, row.eventId());
        int i = 7;
        for (Cell cell : row.cells()) {
            statement.setString(i++, cell.text());
        }
    }

    private void insertEvents(Connection connection, List<Row> rows) throws SQLException {
        Map<String, List<Row>> byTable = new LinkedHashMap<>();
        rows.forEach(row ->
                byTable.computeIfAbsent(row.table(), k -> new ArrayList<>()).add(row));
        for (Map.Entry<String, List<Row>> table : byTable.entrySet()) {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO "
                    + Names.quote(table.getKey() + EVENTS_SUFFIX) + " (\"event_id\", \"aggregate_id\", \"version\", "
                    + "\"event_type\", \"payload\", \"created_at\", \"position\") VALUES (?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (\"event_id\") DO NOTHING")) {
                for (Row row : table.getValue()) {
                    insert.setString(1, row.eventId());
                    insert.setString(2, row.aggregateId());
                    insert.setLong(3, row.version());
                    insert.setString(4, row.eventType());
                    insert.setString(5, row.payload());
                    insert.setString(6, row.createdAt());
                    insert.setLong(7, row.position());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
    }
}
