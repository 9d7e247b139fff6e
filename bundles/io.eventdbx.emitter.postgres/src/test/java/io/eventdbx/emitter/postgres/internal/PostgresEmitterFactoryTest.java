package io.eventdbx.emitter.postgres.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.Envelope;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class PostgresEmitterFactoryTest {

    @Test
    void aUriBecomesADataSourceWithThePasswordApart() {
        PGSimpleDataSource source =
                PostgresEmitterFactory.dataSource("postgresql://reader:p%40ss@db.internal:6543/models?sslmode=disable");
        assertEquals("db.internal", source.getServerNames()[0]);
        assertEquals(6543, source.getPortNumbers()[0]);
        assertEquals("models", source.getDatabaseName());
        assertEquals("reader", source.getUser());
        assertEquals("p@ss", source.getPassword());
        assertFalse(source.getURL().contains("p@ss") || source.getURL().contains("p%40ss"), source.getURL());
        assertEquals(5432, PostgresEmitterFactory.dataSource("postgres://h/db").getPortNumbers()[0]);
        assertEquals(
                "db",
                PostgresEmitterFactory.dataSource("jdbc:postgresql://h:1/db").getDatabaseName());
    }

    @Test
    void badConnectionStringsAndOptionsAreRefusedClearly() {
        PostgresEmitterFactory factory = new PostgresEmitterFactory();
        for (String bad : List.of("mysql://h/db", "postgresql://", "host=x dbname=y", "postgresql://h:99999999/db")) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> factory.create("pg", Map.of("connection", List.of(bad))),
                    bad);
            assertTrue(e.getMessage().contains("--connection"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> factory.create("pg", Map.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> factory.create(
                        "pg", Map.of("connection", List.of("postgresql://h/db"), "map", List.of("t|f|no;type"))));
        assertTrue(factory.options().stream().anyMatch(o -> o.name().equals("connection") && o.secret()));
    }

    @Test
    void anUnreachableServerIsUnreachableAndItsMessageHasNoPassword() {
        // a port nothing listens on (the discard port of the loopback address)
        Emitter emitter = new PostgresEmitterFactory()
                .create("pg", Map.of("connection", List.of("postgresql://u:topsecret@127.0.0.1:9/db")));
        try {
            Delivery delivery = emitter.deliver(
                    List.of(new Envelope(1, "t", "a", "e", "id", 1, "{\"payload\":{},\"metadata\":{}}")));
            assertEquals(Delivery.Outcome.UNREACHABLE, delivery.outcome(), delivery.toString());
            assertTrue(delivery.reason().contains("127.0.0.1:9/db"), delivery.reason());
            assertFalse(delivery.reason().contains("topsecret"), delivery.reason());
        } finally {
            emitter.close();
        }
    }
}
