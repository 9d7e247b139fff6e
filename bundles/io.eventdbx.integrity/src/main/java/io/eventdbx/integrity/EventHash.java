package io.eventdbx.integrity;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The hash of one event: SHA-256 over an unambiguous encoding of every field of the record (format
 * {@value #FORMAT}, specified in {@code docs/integrity.md}). Strings are length-prefixed, optional fields are
 * preceded by a presence byte, numbers are fixed-width, so no two different records encode alike: unlike a
 * plain concatenation, {@code "ab" + "c"} and {@code "a" + "bc"} differ, and so do {@code {"a":1}} and
 * {@code {"a":"1"}}.
 *
 * @param aggregateType the aggregate's type
 * @param aggregateId the aggregate's id
 * @param version the event's version, from 1
 * @param eventType the event type
 * @param eventId the event id
 * @param createdAt the commit time, RFC 3339 UTC text exactly as stored
 * @param issuedByGroup the writer's group, or null if the event has no attribution
 * @param issuedByUser the writer's user, or null if the event has no attribution
 * @param note the note, or null
 * @param schemaVersion the version of the schema that accepted the event, or null
 * @param payload the payload's canonical JSON text ({@link CanonicalJson})
 */
public record EventHash(
        String aggregateType,
        String aggregateId,
        long version,
        String eventType,
        String eventId,
        String createdAt,
        String issuedByGroup,
        String issuedByUser,
        String note,
        Long schemaVersion,
        String payload) {

    /** The encoding's name, its first field. */
    public static final String FORMAT = "eventdbx/event/v1";

    /** Checks the mandatory fields. */
    public EventHash {
        Objects.requireNonNull(aggregateType, "aggregateType");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(payload, "payload");
        if ((issuedByGroup == null) != (issuedByUser == null)) {
            throw new IllegalArgumentException("issued_by needs both group and user, or neither");
        }
    }

    /**
     * The encoding that is hashed.
     *
     * @return the bytes
     */
    public byte[] encode() {
        BufferEncoder encoder = new BufferEncoder();
        write(encoder);
        return encoder.bytes();
    }

    private void write(Encoder encoder) {
        encoder.string(FORMAT);
        encoder.string(aggregateType);
        encoder.string(aggregateId);
        encoder.u64(version);
        encoder.string(eventType);
        encoder.string(eventId);
        encoder.string(createdAt);
        encoder.present(issuedByGroup != null);
        if (issuedByGroup != null) {
            encoder.string(issuedByGroup);
            encoder.string(issuedByUser);
        }
        encoder.present(note != null);
        if (note != null) {
            encoder.string(note);
        }
        encoder.present(schemaVersion != null);
        if (schemaVersion != null) {
            encoder.u64(schemaVersion);
        }
        encoder.string(payload);
    }

    /**
     * The event hash.
     *
     * @return SHA-256 of {@link #encode()}
     */
    public byte[] hash() {
        // Streams the encoding into the digest: same bytes as encode(), without building them (the write path's
        // hot spot).
        DigestEncoder encoder = new DigestEncoder(Sha256.digest());
        write(encoder);
        return encoder.digest.digest();
    }

    private interface Encoder {
        void string(String s);

        void u64(long value);

        void present(boolean present);
    }

    private static final class DigestEncoder implements Encoder {
        private final MessageDigest digest;
        private final byte[] scratch = new byte[8];

        DigestEncoder(MessageDigest digest) {
            this.digest = digest;
        }

        @Override
        public void string(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            int n = bytes.length;
            scratch[0] = (byte) (n >>> 24);
            scratch[1] = (byte) (n >>> 16);
            scratch[2] = (byte) (n >>> 8);
            scratch[3] = (byte) n;
            digest.update(scratch, 0, 4);
            digest.update(bytes);
        }

        @Override
        public void u64(long value) {
            for (int i = 0; i < 8; i++) {
                scratch[i] = (byte) (value >>> (56 - 8 * i));
            }
            digest.update(scratch, 0, 8);
        }

        @Override
        public void present(boolean present) {
            digest.update((byte) (present ? 1 : 0));
        }
    }

    private static final class BufferEncoder implements Encoder {
        private ByteBuffer buffer = ByteBuffer.allocate(512);

        @Override
        public void string(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            ensure(4 + bytes.length);
            buffer.putInt(bytes.length).put(bytes);
        }

        @Override
        public void u64(long value) {
            ensure(8);
            buffer.putLong(value);
        }

        @Override
        public void present(boolean present) {
            ensure(1);
            buffer.put((byte) (present ? 1 : 0));
        }

        private void ensure(int more) {
            if (buffer.remaining() < more) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + more));
                buffer.flip();
                bigger.put(buffer);
                buffer = bigger;
            }
        }

        byte[] bytes() {
            byte[] bytes = new byte[buffer.position()];
            buffer.flip();
            buffer.get(bytes);
            return bytes;
        }
    }
}
