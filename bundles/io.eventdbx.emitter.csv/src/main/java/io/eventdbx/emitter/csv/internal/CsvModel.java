package io.eventdbx.emitter.csv.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.eventdbx.emitter.api.Envelope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The csv sink's files, per aggregate type: {@code <type>.changes.csv}, an append-only record of every event (its
 * position, id, aggregate, version, type, time and the fields it set; a new field adds a column, the file is then
 * rewritten once with the wider header), and {@code <type>.csv}, the current state of every aggregate (one row each,
 * rewritten atomically after each batch). The changes file is the truth: at start the states are rebuilt from it, so
 * an event is never recorded twice (one already there, at its aggregate's version or below, is skipped). Objects and
 * arrays are JSON text. Not thread-safe: one dispatcher thread uses it.
 */
final class CsvModel {

    static final List<String> CHANGE_COLUMNS =
            List.of("position", "event_id", "aggregate_id", "version", "event_type", "created_at");
    static final List<String> STATE_COLUMNS = List.of("aggregate_id", "version", "merkle_root", "updated_at");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    /** One aggregate's current state. */
    private static final class State {
        long version;
        String merkleRoot;
        String updatedAt;
        final Map<String, String> fields = new HashMap<>();
    }

    /** One aggregate type's files, as loaded. */
    private static final class TypeFiles {
        final List<String> fields = new ArrayList<>(); // the field columns, in order of first appearance
        final Map<String, State> states = new TreeMap<>();
        final StringBuilder appended = new StringBuilder();
        boolean widened;
    }

    private final Path dir;
    private final Map<String, TypeFiles> types = new HashMap<>();

    CsvModel(Path dir) {
        this.dir = dir;
    }

    /** Forgets what it loaded: after a failed write, the files are read again. */
    void forget() {
        types.clear();
    }

    /**
     * Records a batch: appends to the changes files (synced), then rewrites the state files of the types it touched.
     *
     * @throws IOException if a file cannot be written (the caller forgets and retries)
     */
    void apply(List<Envelope> batch) throws IOException {
        Map<String, TypeFiles> touched = new LinkedHashMap<>();
        for (Envelope envelope : batch) {
            TypeFiles files = load(envelope.aggregateType());
            State state = files.states.computeIfAbsent(envelope.aggregateId(), k -> new State());
            if (envelope.version() <= state.version) {
                continue; // already recorded: a redelivery
            }
            JsonNode record;
            try {
                record = JSON.readTree(envelope.json());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("the event record is not JSON: " + e.getOriginalMessage());
            }
            Map<String, String> set = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            record.path("payload").fields();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                set.put(field.getKey(), text(field.getValue()));
                if (!files.fields.contains(field.getKey())) {
                    files.fields.add(field.getKey());
                    files.widened = true;
                }
            }
            String createdAt = record.path("metadata").path("created_at").asText("");
            List<String> line = new ArrayList<>(List.of(
                    Long.toString(envelope.position()),
                    envelope.eventId(),
                    envelope.aggregateId(),
                    Long.toString(envelope.version()),
                    envelope.eventType(),
                    createdAt));
            for (String field : files.fields) {
                line.add(set.get(field));
            }
            files.appended.append(Csv.line(line));
            state.version = envelope.version();
            state.merkleRoot = record.path("merkle_root").asText("");
            state.updatedAt = createdAt;
            state.fields.putAll(set);
            touched.put(envelope.aggregateType(), files);
        }
        for (Map.Entry<String, TypeFiles> type : touched.entrySet()) {
            writeChanges(type.getKey(), type.getValue());
        }
        for (Map.Entry<String, TypeFiles> type : touched.entrySet()) {
            writeStates(type.getKey(), type.getValue());
        }
    }

    /** A JSON value as a cell: scalars as their text, objects and arrays as JSON, null as empty. */
    static String text(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "";
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }

    Path changesFile(String type) {
        return dir.resolve(type + ".changes.csv");
    }

    Path stateFile(String type) {
        return dir.resolve(type + ".csv");
    }

    /** A type's files, read once: the states are rebuilt from the changes. */
    private TypeFiles load(String type) throws IOException {
        TypeFiles files = types.get(type);
        if (files != null) {
            return files;
        }
        files = new TypeFiles();
        Path changes = changesFile(type);
        if (Files.exists(changes)) {
            List<List<String>> records = Csv.parse(Files.readString(changes, StandardCharsets.UTF_8));
            if (!records.isEmpty()) {
                List<String> header = records.get(0);
                files.fields.addAll(header.subList(Math.min(CHANGE_COLUMNS.size(), header.size()), header.size()));
                for (List<String> record : records.subList(1, records.size())) {
                    if (record.size() != header.size()) {
                        continue; // not a whole record
                    }
                    State state = files.states.computeIfAbsent(record.get(2), k -> new State());
                    state.version = Long.parseLong(record.get(3));
                    state.updatedAt = record.get(5);
                    for (int i = 0; i < files.fields.size(); i++) {
                        String value = record.get(CHANGE_COLUMNS.size() + i);
                        if (!value.isEmpty()) {
                            state.fields.put(files.fields.get(i), value);
                        }
                    }
                }
            }
            files.widened = false;
            // the merkle roots are only in the state file: take them from there when they match the version
            Path stateFile = stateFile(type);
            if (Files.exists(stateFile)) {
                List<List<String>> rows = Csv.parse(Files.readString(stateFile, StandardCharsets.UTF_8));
                for (List<String> row : rows.subList(Math.min(1, rows.size()), rows.size())) {
                    State state = files.states.get(row.get(0));
                    if (state != null
                            && row.size() > 2
                            && Long.toString(state.version).equals(row.get(1))) {
                        state.merkleRoot = row.get(2);
                    }
                }
            }
        }
        types.put(type, files);
        return files;
    }

    private void writeChanges(String type, TypeFiles files) throws IOException {
        Path changes = changesFile(type);
        List<String> header = new ArrayList<>(CHANGE_COLUMNS);
        header.addAll(files.fields);
        if (files.widened || !Files.exists(changes)) {
            // a new column: the file again, every record padded to the wider header, then the new records
            StringBuilder whole = new StringBuilder(Csv.line(header));
            if (Files.exists(changes)) {
                List<List<String>> records = Csv.parse(Files.readString(changes, StandardCharsets.UTF_8));
                for (List<String> record : records.subList(Math.min(1, records.size()), records.size())) {
                    List<String> padded = new ArrayList<>(record);
                    while (padded.size() < header.size()) {
                        padded.add("");
                    }
                    whole.append(Csv.line(padded));
                }
            }
            // lines written before a column appeared in this batch are padded too
            for (List<String> record : Csv.parse(files.appended.toString())) {
                List<String> padded = new ArrayList<>(record);
                while (padded.size() < header.size()) {
                    padded.add("");
                }
                whole.append(Csv.line(padded));
            }
            replace(changes, whole.toString());
            files.widened = false;
        } else {
            try (FileChannel out = FileChannel.open(changes, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer bytes = ByteBuffer.wrap(files.appended.toString().getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
        }
        files.appended.setLength(0);
    }

    private void writeStates(String type, TypeFiles files) throws IOException {
        List<String> header = new ArrayList<>(STATE_COLUMNS);
        header.addAll(files.fields);
        StringBuilder whole = new StringBuilder(Csv.line(header));
        for (Map.Entry<String, State> entry : files.states.entrySet()) {
            State state = entry.getValue();
            List<String> row = new ArrayList<>(List.of(
                    entry.getKey(),
                    Long.toString(state.version),
                    nullToEmpty(state.merkleRoot),
                    nullToEmpty(state.updatedAt)));
            for (String field : files.fields) {
                row.add(state.fields.get(field));
            }
            whole.append(Csv.line(row));
        }
        replace(stateFile(type), whole.toString());
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }

    /** Writes a file whole and atomically: a temporary file, synced, renamed over the old one. */
    private void replace(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(
                temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
