package io.eventdbx.integrity;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Lower-case hexadecimal, the text form of every hash and root. */
public final class Hex {

    private static final HexFormat FORMAT = HexFormat.of();
    private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private Hex() {}

    /**
     * Encodes bytes.
     *
     * @param bytes the bytes
     * @return lower-case hex
     */
    public static String of(byte[] bytes) {
        // A table lookup into a Latin-1 string: several times faster than HexFormat, and two are made per append.
        byte[] out = new byte[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = DIGITS[bytes[i] & 0xF];
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /**
     * Decodes hex.
     *
     * @param hex an even number of hex digits
     * @return the bytes
     * @throws IllegalArgumentException if the text is not hex
     */
    public static byte[] parse(String hex) {
        return FORMAT.parseHex(hex);
    }
}
