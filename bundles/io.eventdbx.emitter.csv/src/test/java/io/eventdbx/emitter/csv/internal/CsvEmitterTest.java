package io.eventdbx.emitter.csv.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.Envelope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvEmitterTest {

    @TempDir
    Path dir;

    private long position;

    private Envelope event(String id, long version, String payload) {
        position++;
        return new Envelope(
                position,
                "patient",
                id,
                "changed",
                "e-" + position,
                version,
                "{\"payload\":" + payload + ",\"metadata\":{\"created_at\":\"t" + position + "\"},\"merkle_root\":\"r"
                        + version + "\"}");
    }

    private List<List<String>> read(String file) throws Exception {
        return Csv.parse(Files.readString(dir.resolve(file), StandardCharsets.UTF_8));
    }

    @Test
    void changesAreAppendedWithAWideningHeaderAndStatesRewritten() throws Exception {
        Emitter emitter = new CsvEmitterFactory().create("csv", Map.of("output-dir", List.of(dir.toString())));
        assertEquals(
                Delivery.delivered(2),
                emitter.deliver(List.of(
                        event("p-1", 1, "{\"name\":\"Jane, \\\"J\\\"\",\"age\":41}"),
                        event("p-2", 1, "{\"name\":\"Bob\"}"))));
        emitter.deliver(List.of(event("p-1", 2, "{\"address\":{\"city\":\"Oslo\"},\"note\":\"two\\nlines\"}")));
        emitter.deliver(List.of(event("p-1", 1, "{\"name\":\"again\"}"))); // redelivered: skipped
        List<List<String>> changes = read("patient.changes.csv");
        assertEquals(
                List.of(
                        "position",
                        "event_id",
                        "aggregate_id",
                        "version",
                        "event_type",
                        "created_at",
                        "name",
                        "age",
                        "address",
                        "note"),
                changes.get(0));
        assertEquals(4, changes.size());
        assertEquals("Jane, \"J\"", changes.get(1).get(6));
        assertEquals("", changes.get(1).get(8), "padded when the column appeared");
        assertEquals("{\"city\":\"Oslo\"}", changes.get(3).get(8));
        List<List<String>> states = read("patient.csv");
        assertEquals(
                List.of("aggregate_id", "version", "merkle_root", "updated_at", "name", "age", "address", "note"),
                states.get(0));
        assertEquals(
                List.of("p-1", "2", "r2", "t3", "Jane, \"J\"", "41", "{\"city\":\"Oslo\"}", "two\nlines"),
                states.get(1));
        assertEquals("Bob", states.get(2).get(4));

        // a new instance on the same folder rebuilds the states from the changes and skips what is recorded
        Emitter again = new CsvEmitterFactory().create("csv", Map.of("output-dir", List.of(dir.toString())));
        position = 2;
        again.deliver(List.of(event("p-1", 2, "{\"note\":\"dup\"}"), event("p-2", 2, "{\"age\":7}")));
        assertEquals(5, read("patient.changes.csv").size());
        assertEquals("two\nlines", read("patient.csv").get(1).get(7));
        assertEquals("r2", read("patient.csv").get(1).get(2), "the root kept from the state file");
        assertEquals("7", read("patient.csv").get(2).get(5));
    }

    @Test
    void badOptionsAreRefused() {
        CsvEmitterFactory factory = new CsvEmitterFactory();
        assertThrows(IllegalArgumentException.class, () -> factory.create("c", Map.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> factory.create("c", Map.of("output-dir", List.of("relative/dir"))));
    }
}
