package io.eventdbx.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.eventdbx.api.EventRecord;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.integrity.Hex;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CodecTest {

    private final Codec codec = new Codec(new PlaintextProtector());

    private static EventRecord event(long position, String note) {
        byte[] hash = new byte[32];
        byte[] root = new byte[32];
        Arrays.fill(hash, (byte) 0xab);
        Arrays.fill(root, (byte) 0xcd);
        return new EventRecord(
                "patient",
                "p-1",
                "admitted",
                "{\"ward\":\"4b\"}",
                "e-1",
                "2026-11-23T10:00:00.000001Z",
                new IssuedBy("clinic", "alice"),
                note,
                null,
                7,
                position,
                Hex.of(hash),
                Hex.of(root));
    }

    private byte[] encode(EventRecord event) {
        return codec.encodeEvent(event, Hex.parse(event.hash()), Hex.parse(event.merkleRoot()));
    }

    @Test
    void patchingThePositionGivesTheSameBytesAsEncodingWithIt() {
        for (String note : new String[] {null, "a note"}) {
            byte[] patched = encode(event(0, note));
            Codec.patchPosition(patched, 0x0102030405060708L);
            assertArrayEquals(encode(event(0x0102030405060708L, note)), patched);
            assertEquals(
                    0x0102030405060708L,
                    codec.decodeEvent("patient", "p-1", patched).position());
        }
    }

    @Test
    void anEventRoundTrips() {
        EventRecord event = event(42, "why");
        assertEquals(event, codec.decodeEvent("patient", "p-1", encode(event)));
    }
}
