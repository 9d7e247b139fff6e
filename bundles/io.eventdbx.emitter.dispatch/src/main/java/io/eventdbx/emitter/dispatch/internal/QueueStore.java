package io.eventdbx.emitter.dispatch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventdbx.crypto.api.DataProtector;
import io.eventdbx.crypto.api.TamperedDataException;
import io.eventdbx.store.api.KeyPrefixes;
import io.eventdbx.store.api.KeyValue;
import io.eventdbx.store.api.StorageEngine;
import io.eventdbx.store.api.WriteBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the dispatcher keeps its state, in the store's key space: per instance a cursor ({@code P<name>}: the next
 * log position to look at) and a queue ({@code J<name>\0<position>}: a sealed job). The cursor and the jobs it passed
 * are written in one batch, so after a crash either both are there or neither, and the events are looked at again
 * (delivery is at least once).
 */
final class QueueStore {

    private static final String SCOPE = "plugins";
    private static final int SCAN = 1024;
    private final StorageEngine storage;
    private final DataProtector protector;
    private final ObjectMapper json = new ObjectMapper();

    QueueStore(StorageEngine storage, DataProtector protector) {
        this.storage = storage;
        this.protector = protector;
    }

    /** The cursor, or -1 if the instance has none yet. */
    long cursor(String instance) throws IOException {
        byte[] value = storage.get(cursorKey(instance));
        return value == null ? -1 : ByteBuffer.wrap(value).getLong();
    }

    void putCursor(WriteBatch batch, String instance, long position) {
        batch.put(cursorKey(instance), ByteBuffer.allocate(8).putLong(position).array());
    }

    void putJob(WriteBatch batch, String instance, Job job) {
        byte[] key = jobKey(instance, job.position);
        ObjectNode n = json.createObjectNode();
        n.put("event_id", job.eventId);
        n.put("aggregate_type", job.aggregateType);
        n.put("aggregate_id", job.aggregateId);
        n.put("version", job.version);
        n.put("attempts", job.attempts);
        n.put("next_attempt", job.nextAttemptMillis);
        n.put("dead", job.dead);
        if (job.lastError != null) {
            n.put("last_error", job.lastError);
        }
        try {
            batch.put(key, protector.seal(SCOPE, key, json.writeValueAsBytes(n)));
        } catch (IOException e) {
            throw new IllegalStateException("a job cannot be encoded", e); // an ObjectNode always can
        }
    }

    void deleteJob(WriteBatch batch, String instance, long position) {
        batch.delete(jobKey(instance, position));
    }

    void write(WriteBatch batch) throws IOException {
        if (!batch.isEmpty()) {
            // not synced: a later synced write (the next group commit) makes it durable; losing it after a crash
            // means looking at the same events again, which at-least-once delivery allows
            storage.write(batch, false);
        }
    }

    /** Every job of an instance, in log order. */
    List<Job> jobs(String instance) throws IOException {
        byte[] from = jobKey(instance, 0);
        byte[] to = jobKey(instance, Long.MAX_VALUE);
        List<Job> out = new ArrayList<>();
        while (true) {
            List<KeyValue> page = storage.scan(from, to, SCAN, false);
            for (KeyValue kv : page) {
                out.add(decode(kv));
            }
            if (page.size() < SCAN) {
                return out;
            }
            byte[] last = page.get(page.size() - 1).key();
            from = jobKey(instance, ByteBuffer.wrap(last, last.length - 8, 8).getLong() + 1);
        }
    }

    /** Removes an instance's cursor and queue. */
    void removeAll(String instance) throws IOException {
        WriteBatch batch = new WriteBatch();
        for (Job job : jobs(instance)) {
            deleteJob(batch, instance, job.position);
        }
        batch.delete(cursorKey(instance));
        storage.write(batch, true);
    }

    private Job decode(KeyValue kv) throws IOException {
        byte[] key = kv.key();
        long position = ByteBuffer.wrap(key, key.length - 8, 8).getLong();
        JsonNode n;
        try {
            n = json.readTree(protector.open(SCOPE, key, kv.value()));
        } catch (TamperedDataException e) {
            throw new IOException("a queued plugin job is damaged: " + e.getMessage(), e);
        }
        Job job = new Job(
                position,
                n.path("event_id").asText(),
                n.path("aggregate_type").asText(),
                n.path("aggregate_id").asText(),
                n.path("version").asLong());
        job.attempts = n.path("attempts").asInt();
        job.nextAttemptMillis = n.path("next_attempt").asLong();
        job.dead = n.path("dead").asBoolean();
        job.lastError = n.hasNonNull("last_error") ? n.get("last_error").asText() : null;
        return job;
    }

    private static byte[] cursorKey(String instance) {
        byte[] name = instance.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + name.length)
                .put(KeyPrefixes.PLUGIN_CURSORS)
                .put(name)
                .array();
    }

    private static byte[] jobKey(String instance, long position) {
        byte[] name = instance.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + name.length + 1 + 8)
                .put(KeyPrefixes.PLUGIN_QUEUE)
                .put(name)
                .put((byte) 0)
                .putLong(position)
                .array();
    }
}
