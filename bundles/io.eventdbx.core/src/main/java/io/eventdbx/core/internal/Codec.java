package io.eventdbx.core.internal;

import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.EventStoreException.Code;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.api.SnapshotRecord;
import io.eventdbx.crypto.api.DataProtector;
import io.eventdbx.crypto.api.TamperedDataException;
import io.eventdbx.integrity.CanonicalJson;
import io.eventdbx.integrity.Hex;
import io.eventdbx.integrity.MerkleFrontier;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.SortedMap;

/**
 * The stored forms of heads and events: compact binary records (format byte, then length-prefixed UTF-8
 * strings, fixed-width numbers, raw 32-byte hashes), documented in {@code docs/architecture.md}. Payloads,
 * states, snapshots and staged payloads are sealed by the {@link DataProtector} under their aggregate's key,
 * bound to what they are (kind and version or sequence); versions, hashes, roots and archive flags stay readable
 * for verification. Thread-safe.
 */
final class Codec {

    // 2: with sealed payloads and states
    private static final byte EVENT_FORMAT = 2;
    private static final byte HEAD_FORMAT = 2;
    private static final byte SNAPSHOT_FORMAT = 2;
    private static final byte STAGED_FORMAT = 2;

    private final DataProtector protector;

    Codec(DataProtector protector) {
        this.protector = protector;
    }

    private byte[] seal(String type, String id, String kind, long number, String text) {
        return protector.seal(
                DataProtector.aggregateScope(type, id), aad(kind, number), text.getBytes(StandardCharsets.UTF_8));
    }

    private String open(String type, String id, String kind, long number, byte[] sealed) {
        try {
            return new String(
                    protector.open(DataProtector.aggregateScope(type, id), aad(kind, number), sealed),
                    StandardCharsets.UTF_8);
        } catch (TamperedDataException e) {
            throw new EventStoreException(
                    Code.INTEGRITY,
                    "the stored " + kind + " " + number + " of " + type + "/" + id
                            + " does not decrypt: it was altered, or its key is gone");
        }
    }

    /** Associated data: what a sealed value is (the scope already names the aggregate). */
    private static byte[] aad(String kind, long number) {
        byte[] k = kind.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(k.length + 9)
                .put(k)
                .put((byte) 0)
                .putLong(number)
                .array();
    }

    /** A validated payload: its canonical text and its top-level members. */
    record Payload(String canonical, SortedMap<String, String> members) {}

    Payload payload(String json) {
        SortedMap<String, String> members;
        try {
            members = CanonicalJson.objectMembers(json);
        } catch (IllegalArgumentException e) {
            throw new EventStoreException(
                    Code.INVALID_ARGUMENT, "payload is not a valid JSON object: " + e.getMessage());
        }
        return new Payload(CanonicalJson.object(members), members);
    }

    /** A payload stored in canonical form: its text as it is, and its members. */
    Payload storedPayload(String canonical) {
        return new Payload(canonical, members(canonical));
    }

    SortedMap<String, String> members(String canonicalObject) {
        try {
            return CanonicalJson.objectMembers(canonicalObject);
        } catch (IllegalArgumentException e) {
            throw new EventStoreException(Code.INTEGRITY, "a stored payload or state is not valid JSON");
        }
    }

    byte[] encodeHead(Head head) {
        Writer w = new Writer(256);
        w.u8(HEAD_FORMAT);
        w.u64(head.version());
        w.bytes(head.frontier().toBytes());
        w.bytes(seal(head.type(), head.id(), "state", head.version(), head.stateJson()));
        w.u8(head.archived() ? 1 : 0);
        w.string(head.createdAt());
        w.string(head.updatedAt());
        w.optional(head.comment());
        return w.done();
    }

    Head decodeHead(String type, String id, byte[] bytes) {
        try {
            ByteBuffer r = ByteBuffer.wrap(bytes);
            format(r, HEAD_FORMAT, "head of " + type + "/" + id);
            long version = r.getLong();
            MerkleFrontier frontier = MerkleFrontier.fromBytes(bytesOf(r));
            SortedMap<String, String> state =
                    Collections.unmodifiableSortedMap(members(open(type, id, "state", version, bytesOf(r))));
            boolean archived = r.get() == 1;
            String created = string(r);
            String updated = string(r);
            String comment = optional(r);
            return new Head(type, id, version, frontier, state, archived, created, updated, comment);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new EventStoreException(Code.INTEGRITY, "the stored head of " + type + "/" + id + " is damaged");
        }
    }

    /** Encodes an event; its hash and root come as bytes (the caller has them: no hex round trip). */
    byte[] encodeEvent(EventRecord event, byte[] hash, byte[] root) {
        Writer w = new Writer(192 + event.payloadJson().length());
        w.u8(EVENT_FORMAT);
        w.string(event.eventType());
        w.bytes(seal(event.aggregateType(), event.aggregateId(), "event", event.version(), event.payloadJson()));
        w.string(event.eventId());
        w.string(event.createdAt());
        w.u8(event.issuedBy() == null ? 0 : 1);
        if (event.issuedBy() != null) {
            w.string(event.issuedBy().group());
            w.string(event.issuedBy().user());
        }
        w.optional(event.note());
        w.u8(event.schemaVersion() == null ? 0 : 1);
        if (event.schemaVersion() != null) {
            w.u64(event.schemaVersion());
        }
        w.u64(event.version());
        w.u64(event.position());
        w.bytes(hash);
        w.bytes(root);
        return w.done();
    }

    /** Bytes after the position in an encoded event: the hash and the root, each length-prefixed. */
    private static final int AFTER_POSITION = 2 * (4 + 32);

    /**
     * Sets the global position in an event encoded by {@link #encodeEvent}: the position is the last fixed-width
     * field before the hash and the root, so it sits at a fixed distance from the end.
     */
    static void patchPosition(byte[] encodedEvent, long position) {
        int at = encodedEvent.length - AFTER_POSITION - 8;
        for (int i = 0; i < 8; i++) {
            encodedEvent[at + i] = (byte) (position >>> (56 - 8 * i));
        }
    }

    EventRecord decodeEvent(String type, String id, byte[] bytes) {
        try {
            ByteBuffer r = ByteBuffer.wrap(bytes);
            format(r, EVENT_FORMAT, "event of " + type + "/" + id);
            String eventType = string(r);
            byte[] sealedPayload = bytesOf(r);
            String eventId = string(r);
            String created = string(r);
            IssuedBy issuedBy = r.get() == 1 ? new IssuedBy(string(r), string(r)) : null;
            String note = optional(r);
            Long schemaVersion = r.get() == 1 ? r.getLong() : null;
            long version = r.getLong();
            long position = r.getLong();
            String payload = open(type, id, "event", version, sealedPayload);
            String hash = Hex.of(bytesOf(r));
            String root = Hex.of(bytesOf(r));
            return new EventRecord(
                    type,
                    id,
                    eventType,
                    payload,
                    eventId,
                    created,
                    issuedBy,
                    note,
                    schemaVersion,
                    version,
                    position,
                    hash,
                    root);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new EventStoreException(Code.INTEGRITY, "the stored event of " + type + "/" + id + " is damaged");
        }
    }

    byte[] encodeSnapshot(SnapshotRecord snapshot) {
        Writer w = new Writer(128 + snapshot.stateJson().length());
        w.u8(SNAPSHOT_FORMAT);
        w.u64(snapshot.version());
        w.bytes(seal(
                snapshot.aggregateType(),
                snapshot.aggregateId(),
                "snapshot",
                snapshot.version(),
                snapshot.stateJson()));
        w.bytes(Hex.parse(snapshot.merkleRoot()));
        w.string(snapshot.createdAt());
        w.optional(snapshot.comment());
        return w.done();
    }

    SnapshotRecord decodeSnapshot(String type, String id, byte[] bytes) {
        try {
            ByteBuffer r = ByteBuffer.wrap(bytes);
            format(r, SNAPSHOT_FORMAT, "snapshot of " + type + "/" + id);
            long version = r.getLong();
            String state = open(type, id, "snapshot", version, bytesOf(r));
            String root = Hex.of(bytesOf(r));
            return new SnapshotRecord(type, id, version, state, root, string(r), optional(r));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new EventStoreException(Code.INTEGRITY, "a stored snapshot of " + type + "/" + id + " is damaged");
        }
    }

    byte[] encodeStaged(long sequence, EventStoreEngine.Prepared p) {
        Writer w = new Writer(192 + p.payload().canonical().length());
        w.u8(STAGED_FORMAT);
        w.string(p.type());
        w.string(p.id());
        w.string(p.eventType());
        w.optional(p.clientEventId() ? p.eventId() : null);
        w.optional(p.note());
        w.u8(p.expected() == null ? 0 : 1);
        if (p.expected() != null) {
            w.u64(p.expected());
        }
        w.u8(p.issuedBy() == null ? 0 : 1);
        if (p.issuedBy() != null) {
            w.string(p.issuedBy().group());
            w.string(p.issuedBy().user());
        }
        w.bytes(seal(p.type(), p.id(), "staged", sequence, p.payload().canonical()));
        return w.done();
    }

    /** A staged event as the request it was: payload canonical, event id only if the client chose one. */
    AppendRequest decodeStaged(long sequence, byte[] bytes) {
        try {
            ByteBuffer r = ByteBuffer.wrap(bytes);
            format(r, STAGED_FORMAT, "staged event");
            String type = string(r);
            String id = string(r);
            String eventType = string(r);
            String eventId = optional(r);
            String note = optional(r);
            Long expected = r.get() == 1 ? r.getLong() : null;
            IssuedBy issuedBy = r.get() == 1 ? new IssuedBy(string(r), string(r)) : null;
            String payload = open(type, id, "staged", sequence, bytesOf(r));
            return new io.eventdbx.api.AppendRequest(type, id, eventType, payload, note, expected, eventId, issuedBy);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new EventStoreException(Code.INTEGRITY, "a staged event is damaged");
        }
    }

    private static void format(ByteBuffer r, byte expected, String what) {
        byte format = r.get();
        if (format != expected) {
            throw new IllegalArgumentException("unknown format " + format + " of the " + what);
        }
    }

    private static String string(ByteBuffer r) {
        int length = r.getInt();
        if (length < 0 || length > r.remaining()) {
            throw new IllegalArgumentException("bad length");
        }
        String s = new String(r.array(), r.position(), length, StandardCharsets.UTF_8);
        r.position(r.position() + length);
        return s;
    }

    private static String optional(ByteBuffer r) {
        return r.get() == 1 ? string(r) : null;
    }

    private static byte[] bytesOf(ByteBuffer r) {
        int length = r.getInt();
        if (length < 0 || length > r.remaining()) {
            throw new IllegalArgumentException("bad length");
        }
        byte[] bytes = new byte[length];
        r.get(bytes);
        return bytes;
    }

    /** A growing big-endian buffer. */
    private static final class Writer {
        private ByteBuffer buffer;

        Writer(int capacity) {
            buffer = ByteBuffer.allocate(capacity);
        }

        void u8(int value) {
            ensure(1);
            buffer.put((byte) value);
        }

        void u64(long value) {
            ensure(8);
            buffer.putLong(value);
        }

        void bytes(byte[] bytes) {
            ensure(4 + bytes.length);
            buffer.putInt(bytes.length).put(bytes);
        }

        void string(String s) {
            bytes(s.getBytes(StandardCharsets.UTF_8));
        }

        void optional(String s) {
            u8(s == null ? 0 : 1);
            if (s != null) {
                string(s);
            }
        }

        private void ensure(int more) {
            if (buffer.remaining() < more) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + more));
                buffer.flip();
                bigger.put(buffer);
                buffer = bigger;
            }
        }

        byte[] done() {
            byte[] out = new byte[buffer.position()];
            System.arraycopy(buffer.array(), 0, out, 0, out.length);
            return out;
        }
    }
}
