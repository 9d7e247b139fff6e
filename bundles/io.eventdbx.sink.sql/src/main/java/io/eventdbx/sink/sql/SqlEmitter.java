package io.eventdbx.sink.sql;

import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.Envelope;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * An emitter that keeps a {@link ReadModel} in a database: each batch is one transaction. A lost connection answers
 * unreachable (the dispatcher waits and goes on where it stopped); a value the database will never take (a text in
 * an integer column: SQL state class 22 or 23) fails that event alone, after the ones before it are committed; other
 * errors are retried. The connection is opened on first use and kept.
 */
public final class SqlEmitter implements Emitter {

    /** Opens a connection to the database. */
    @FunctionalInterface
    public interface Connector {
        /**
         * A new connection.
         *
         * @return the connection
         * @throws SQLException if it cannot be made
         */
        Connection connect() throws SQLException;
    }

    private final String target;
    private final Connector connector;
    private final ReadModel model;
    private Connection connection;

    /**
     * Creates the emitter.
     *
     * @param target what the database is, for messages (never with a password)
     * @param connector how to connect
     * @param model the read model it keeps
     */
    public SqlEmitter(String target, Connector connector, ReadModel model) {
        this.target = target;
        this.connector = connector;
        this.model = model;
    }

    @Override
    public Delivery deliver(List<Envelope> batch) {
        Connection c;
        try {
            c = connection();
        } catch (SQLException e) {
            return Delivery.unreachable(0, target + " cannot be reached: " + message(e));
        }
        try {
            model.apply(c, batch);
            c.commit();
            return Delivery.delivered(batch.size());
        } catch (SQLException | RuntimeException e) {
            rollback(c);
            if (e instanceof SQLException sql && lost(c, sql)) {
                drop();
                return Delivery.unreachable(0, target + " was lost: " + message(sql));
            }
            return batch.size() == 1 ? verdict(0, e) : oneByOne(c, batch);
        }
    }

    /** After a batch failed: each envelope in a transaction of its own, to commit those before the one that fails. */
    private Delivery oneByOne(Connection c, List<Envelope> batch) {
        for (int i = 0; i < batch.size(); i++) {
            try {
                model.apply(c, List.of(batch.get(i)));
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(c);
                if (e instanceof SQLException sql && lost(c, sql)) {
                    drop();
                    return Delivery.unreachable(i, target + " was lost: " + message(sql));
                }
                return verdict(i, e);
            }
        }
        return Delivery.delivered(batch.size());
    }

    private static Delivery verdict(int deliveredBefore, Exception e) {
        if (e instanceof SQLException sql) {
            String state = sql.getSQLState() == null ? "" : sql.getSQLState();
            if (state.startsWith("22") || state.startsWith("23")) {
                return Delivery.failed(deliveredBefore, "the database refused the event: " + message(sql));
            }
            return Delivery.retry(deliveredBefore, null, "the database answered: " + message(sql));
        }
        // an event record that is not what the SPI promises will not change: it is dead
        return Delivery.failed(deliveredBefore, "the event could not be written: " + e.getMessage());
    }

    @Override
    public void check() throws Exception {
        Connection c = connection();
        if (!c.isValid(5)) {
            drop();
            throw new SQLException(target + " does not answer");
        }
    }

    @Override
    public void close() {
        drop();
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = connector.connect();
            c.setAutoCommit(false);
            connection = c;
            model.forget();
        }
        return connection;
    }

    /** Whether a failure means the connection is gone (SQL state class 08, or it no longer answers). */
    private static boolean lost(Connection c, SQLException e) {
        String state = e.getSQLState();
        if (state != null && state.startsWith("08")) {
            return true;
        }
        try {
            return c.isClosed() || !c.isValid(2);
        } catch (SQLException probe) {
            return true;
        }
    }

    private void rollback(Connection c) {
        model.forget(); // DDL may have been rolled back with the rest
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is going; drop() follows if it is lost
        }
    }

    private void drop() {
        model.forget();
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // nothing to release any more
            }
            connection = null;
        }
    }

    /** The database's message, first line, at most 200 characters. */
    static String message(SQLException e) {
        // a batch's exception says which statement; the database's own words are in the next one
        SQLException cause = e;
        for (int i = 0; i < 8; i++) {
            if (cause.getNextException() != null) {
                cause = cause.getNextException();
            } else if (cause.getCause() instanceof SQLException deeper && deeper != cause) {
                cause = deeper;
            } else {
                break;
            }
        }
        String text = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        int newline = text.indexOf('\n');
        text = newline < 0 ? text : text.substring(0, newline);
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
