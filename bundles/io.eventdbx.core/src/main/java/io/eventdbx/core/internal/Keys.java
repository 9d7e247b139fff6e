package io.eventdbx.core.internal;

import io.eventdbx.store.api.KeyPrefixes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The key layout in the storage engine. Identifiers never contain byte 0x00 ({@link Identifiers}), so
 * {@code type 0x00 id} is unambiguous; versions and positions are 8-byte big-endian, so they sort numerically.
 *
 * <pre>
 * 'A' type 0x00 id                       aggregate head (version, frontier, state, archive flag)
 * 'E' type 0x00 id 0x00 version          event record
 * 'I' type 0x00 id 0x00 event_id         version of a client-chosen event id (idempotency)
 * 'G' position                           global log: type 0x00 id 0x00 version
 * 'S' type 0x00 id 0x00 version          snapshot of the state at that version
 * 'Q' sequence                           a staged event, waiting for commit
 * </pre>
 */
final class Keys {

    static final byte HEAD = KeyPrefixes.HEAD;
    static final byte EVENT = KeyPrefixes.EVENT;
    static final byte IDEMPOTENCY = KeyPrefixes.IDEMPOTENCY;
    static final byte LOG = KeyPrefixes.LOG;
    static final byte SNAPSHOT = KeyPrefixes.SNAPSHOT;
    static final byte STAGED = KeyPrefixes.STAGED;

    private Keys() {}

    static byte[] head(String type, String id) {
        return concat(HEAD, type, id, null);
    }

    static byte[] headsFrom() {
        return new byte[] {HEAD};
    }

    static byte[] headsTo() {
        return new byte[] {HEAD + 1};
    }

    /** The first head key of a type: the type's name ends at a zero byte, which no identifier contains. */
    static byte[] headsOf(String type) {
        byte[] t = type.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(t.length + 2).put(HEAD).put(t).put((byte) 0).array();
    }

    /** Just past the last head key of a type. */
    static byte[] headsOfEnd(String type) {
        byte[] t = type.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(t.length + 2).put(HEAD).put(t).put((byte) 1).array();
    }

    static byte[] event(String type, String id, long version) {
        return ByteBuffer.allocate(eventPrefix(type, id).length + 8)
                .put(eventPrefix(type, id))
                .putLong(version)
                .array();
    }

    static byte[] eventPrefix(String type, String id) {
        return concat(EVENT, type, id, new byte[0]);
    }

    /** The first key after every event of the aggregate. */
    static byte[] eventsEnd(String type, String id) {
        byte[] prefix = eventPrefix(type, id);
        byte[] end = prefix.clone();
        end[end.length - 1] = 1;
        return end;
    }

    static byte[] snapshot(String type, String id, long version) {
        byte[] prefix = concat(SNAPSHOT, type, id, new byte[0]);
        return ByteBuffer.allocate(prefix.length + 8)
                .put(prefix)
                .putLong(version)
                .array();
    }

    static byte[] snapshotsFrom(String type, String id) {
        return concat(SNAPSHOT, type, id, new byte[0]);
    }

    static byte[] staged(long sequence) {
        return ByteBuffer.allocate(9).put(STAGED).putLong(sequence).array();
    }

    static byte[] stagedEnd() {
        return new byte[] {STAGED + 1};
    }

    static byte[] idempotency(String type, String id, String eventId) {
        return concat(IDEMPOTENCY, type, id, eventId.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] log(long position) {
        return ByteBuffer.allocate(9).put(LOG).putLong(position).array();
    }

    static byte[] logEnd() {
        return new byte[] {LOG + 1};
    }

    static long position(byte[] logKey) {
        return ByteBuffer.wrap(logKey, 1, 8).getLong();
    }

    static long version(byte[] eventKey) {
        return ByteBuffer.wrap(eventKey, eventKey.length - 8, 8).getLong();
    }

    /** Decodes the type and id of a head key. */
    static String[] aggregateOf(byte[] headKey) {
        int sep = indexOf(headKey, 1);
        return new String[] {
            new String(headKey, 1, sep - 1, StandardCharsets.UTF_8),
            new String(headKey, sep + 1, headKey.length - sep - 1, StandardCharsets.UTF_8)
        };
    }

    /** The log's reference to an event: type 0x00 id 0x00 version. */
    static byte[] logValue(String type, String id, long version) {
        byte[] t = type.getBytes(StandardCharsets.UTF_8);
        byte[] i = id.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(t.length + i.length + 10)
                .put(t)
                .put((byte) 0)
                .put(i)
                .put((byte) 0)
                .putLong(version)
                .array();
    }

    static Object[] decodeLogValue(byte[] value) {
        int first = indexOf(value, 0);
        int second = indexOf(value, first + 1);
        return new Object[] {
            new String(value, 0, first, StandardCharsets.UTF_8),
            new String(value, first + 1, second - first - 1, StandardCharsets.UTF_8),
            ByteBuffer.wrap(value, second + 1, 8).getLong()
        };
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        throw new IllegalStateException("malformed key " + Arrays.toString(bytes));
    }

    private static byte[] concat(byte tag, String type, String id, byte[] tail) {
        byte[] t = type.getBytes(StandardCharsets.UTF_8);
        byte[] i = id.getBytes(StandardCharsets.UTF_8);
        int length = 1 + t.length + 1 + i.length + (tail == null ? 0 : 1 + tail.length);
        ByteBuffer buffer =
                ByteBuffer.allocate(length).put(tag).put(t).put((byte) 0).put(i);
        if (tail != null) {
            buffer.put((byte) 0).put(tail);
        }
        return buffer.array();
    }
}
