package io.eventdbx.integrity;

import java.util.HexFormat;

/** Lower-case hexadecimal, the text form of every hash and root. */
public final class Hex {

    private static final HexFormat FORMAT = HexFormat.of();

    private Hex() {}

    /**
     * Encodes bytes.
     *
     * @param bytes the bytes
     * @return lower-case hex
     */
    public static String of(byte[] bytes) {
        return FORMAT.formatHex(bytes);
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
