package io.eventdbx.control.protocol;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One protocol frame: a type byte, a 4-byte big-endian length and that many payload bytes.
 *
 * @param type one of the {@code TYPE_*} constants
 * @param payload the payload
 */
public record Frame(byte type, byte[] payload) {

    /** Client: authentication (method byte, then proof). */
    public static final byte AUTH = 'A';
    /** Server: authentication accepted. */
    public static final byte AUTH_OK = 'K';
    /** Server: the request failed before running; payload is a UTF-8 message. */
    public static final byte ERROR = '!';
    /** Client: run one command; payload is an encoded string list. */
    public static final byte EXEC = 'X';
    /** Client: open an interactive shell. */
    public static final byte SHELL = 'S';
    /** Client: bytes for the command's standard input. */
    public static final byte STDIN = 'I';
    /** Client: standard input is closed. */
    public static final byte STDIN_EOF = 'Z';
    /** Server: bytes of standard output. */
    public static final byte STDOUT = 'O';
    /** Server: bytes of standard error. */
    public static final byte STDERR = 'E';
    /** Server: the command finished; payload is a 4-byte exit code. */
    public static final byte EXIT = 'Q';

    /** Authentication method: HMAC over the nonce with the administrator credential. */
    public static final byte AUTH_ADMIN = 1;

    /** Authentication method: an access token follows (UTF-8); commands run as its holder. */
    public static final byte AUTH_TOKEN = 2;

    /**
     * Reads a frame.
     *
     * @param in the stream
     * @param maxPayload the largest payload accepted
     * @return the frame
     * @throws EOFException if the stream ends before a frame starts or inside one
     * @throws ProtocolException if the length is negative or above {@code maxPayload}
     * @throws IOException on read errors
     */
    public static Frame read(DataInputStream in, int maxPayload) throws IOException {
        byte type = in.readByte();
        int length = in.readInt();
        if (length < 0 || length > maxPayload) {
            throw new ProtocolException("frame of " + length + " bytes exceeds the limit of " + maxPayload);
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(type, payload);
    }

    /**
     * Writes a frame (without flushing).
     *
     * @param out the stream
     * @param type the frame type
     * @param payload the bytes
     * @param offset where they start
     * @param length how many
     * @throws IOException on write errors
     */
    public static void write(DataOutputStream out, byte type, byte[] payload, int offset, int length)
            throws IOException {
        out.writeByte(type);
        out.writeInt(length);
        out.write(payload, offset, length);
    }

    /**
     * Writes a frame and flushes.
     *
     * @param out the stream
     * @param type the frame type
     * @param payload the bytes
     * @throws IOException on write errors
     */
    public static void send(DataOutputStream out, byte type, byte[] payload) throws IOException {
        write(out, type, payload, 0, payload.length);
        out.flush();
    }

    /**
     * Encodes a list of strings: a 4-byte count, then each as a 4-byte length and UTF-8 bytes.
     *
     * @param strings the strings
     * @return the encoding
     */
    public static byte[] encodeStrings(List<String> strings) {
        List<byte[]> encoded = new ArrayList<>(strings.size());
        int size = 4;
        for (String s : strings) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            encoded.add(bytes);
            size += 4 + bytes.length;
        }
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(size);
        buffer.putInt(strings.size());
        for (byte[] bytes : encoded) {
            buffer.putInt(bytes.length).put(bytes);
        }
        return buffer.array();
    }

    /**
     * Decodes {@link #encodeStrings}.
     *
     * @param payload the encoding
     * @return the strings
     * @throws ProtocolException if the encoding is malformed
     */
    public static List<String> decodeStrings(byte[] payload) throws ProtocolException {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(payload);
        try {
            int count = buffer.getInt();
            if (count < 0 || count > payload.length) {
                throw new ProtocolException("malformed argument list");
            }
            List<String> strings = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int length = buffer.getInt();
                if (length < 0 || length > buffer.remaining()) {
                    throw new ProtocolException("malformed argument list");
                }
                byte[] bytes = new byte[length];
                buffer.get(bytes);
                strings.add(new String(bytes, StandardCharsets.UTF_8));
            }
            if (buffer.hasRemaining()) {
                throw new ProtocolException("malformed argument list");
            }
            return strings;
        } catch (java.nio.BufferUnderflowException e) {
            throw new ProtocolException("malformed argument list");
        }
    }

    /** The payload as a UTF-8 string. */
    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
