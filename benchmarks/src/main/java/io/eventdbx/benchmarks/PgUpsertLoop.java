package io.eventdbx.benchmarks;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Locale;

/**
 * The baseline of the postgres sink's benchmark: the physical limit of the same PostgreSQL for the same work, written
 * as a plain JDBC loop. It upserts {@code events} rows shaped like the sink's (the same table, columns, statement and
 * version guard), {@code batch} per transaction (the dispatcher's batch), over {@code aggregates} aggregates, and
 * prints {@code RESULT <events> <seconds>}.
 *
 * <p>Usage: {@code PgUpsertLoop <jdbc-url> <events> <aggregates> <batch>}
 */
public final class PgUpsertLoop {

    private PgUpsertLoop() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int events = Integer.parseInt(args[1]);
        int aggregates = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        try (Connection c = DriverManager.getConnection(url)) {
            try (Statement ddl = c.createStatement()) {
                ddl.execute("DROP TABLE IF EXISTS \"baseline\"");
                ddl.execute("CREATE TABLE \"baseline\" (\"aggregate_id\" text PRIMARY KEY, \"version\" bigint NOT NULL,"
                        + " \"merkle_root\" text, \"updated_at\" text, \"last_event_type\" text, \"last_event_id\""
                        + " text, \"name\" text, \"status\" text, \"ward\" text, \"allergies\" text, \"notes\" text)");
            }
            c.setAutoCommit(false);
            String sql = "INSERT INTO \"baseline\" (\"aggregate_id\", \"version\", \"merkle_root\", \"updated_at\","
                    + " \"last_event_type\", \"last_event_id\", \"name\", \"status\", \"ward\", \"allergies\", \"notes\")"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (\"aggregate_id\") DO UPDATE SET"
                    + " \"version\" = excluded.\"version\", \"merkle_root\" = excluded.\"merkle_root\", \"updated_at\" ="
                    + " excluded.\"updated_at\", \"last_event_type\" = excluded.\"last_event_type\", \"last_event_id\" ="
                    + " excluded.\"last_event_id\", \"name\" = excluded.\"name\", \"status\" = excluded.\"status\","
                    + " \"ward\" = excluded.\"ward\", \"allergies\" = excluded.\"allergies\", \"notes\" ="
                    + " excluded.\"notes\" WHERE \"baseline\".\"version\" < excluded.\"version\"";
            long[] versions = new long[aggregates];
            String notes = "x".repeat(150);
            long started = System.nanoTime();
            try (PreparedStatement upsert = c.prepareStatement(sql)) {
                for (int i = 0; i < events; i++) {
                    int aggregate = i % aggregates;
                    upsert.setString(1, "a-" + aggregate);
                    upsert.setLong(2, ++versions[aggregate]);
                    upsert.setString(3, String.format(Locale.ROOT, "%064x", i));
                    upsert.setString(4, "2026-12-02T00:00:00Z");
                    upsert.setString(5, "seen");
                    upsert.setString(6, "e-" + i);
                    upsert.setString(7, "Jane Doe");
                    upsert.setString(8, "admitted");
                    upsert.setString(9, "{\"bed\":12,\"name\":\"B-North\"}");
                    upsert.setString(10, "[\"penicillin\",\"latex\"]");
                    upsert.setString(11, notes);
                    upsert.addBatch();
                    if ((i + 1) % batch == 0 || i + 1 == events) {
                        upsert.executeBatch();
                        c.commit();
                    }
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(Locale.ROOT, "RESULT %d %.3f%n", events, seconds);
        }
    }
}
