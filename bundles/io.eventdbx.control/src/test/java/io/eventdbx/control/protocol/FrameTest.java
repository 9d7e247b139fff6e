package io.eventdbx.control.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameTest {

    @Test
    void stringListsRoundTripIncludingEmptyAndUnicode() throws Exception {
        List<String> args = List.of("aggregate", "apply", "", "naïve ✓", "--note", "a b\nc");
        assertEquals(args, Frame.decodeStrings(Frame.encodeStrings(args)));
    }

    @Test
    void malformedListsAreRejected() {
        assertThrows(ProtocolException.class, () -> Frame.decodeStrings(new byte[] {0, 0, 0, 2, 0, 0, 0, 9, 'x'}));
        assertThrows(ProtocolException.class, () -> Frame.decodeStrings(new byte[] {0, 0}));
        assertThrows(ProtocolException.class, () -> Frame.decodeStrings(new byte[] {0, 0, 0, 0, 7}));
    }

    @Test
    void framesRoundTripAndOversizedFramesAreRefused() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        Frame.send(new DataOutputStream(buffer), Frame.STDOUT, new byte[] {1, 2, 3});
        Frame frame = Frame.read(new DataInputStream(new ByteArrayInputStream(buffer.toByteArray())), 16);
        assertEquals(Frame.STDOUT, frame.type());
        assertArrayEquals(new byte[] {1, 2, 3}, frame.payload());
        assertThrows(
                ProtocolException.class,
                () -> Frame.read(new DataInputStream(new ByteArrayInputStream(buffer.toByteArray())), 2));
    }
}
