package io.eventdbx.emitter.dispatch.internal;

import io.eventdbx.emitter.api.PluginException;
import io.eventdbx.emitter.api.PluginException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A minimal tar reader for plugin bundles (POSIX ustar, GNU long names, pax {@code path}): regular files and folders
 * only; links and devices are refused, since a link could point outside the install folder.
 */
final class Tar {

    private static final int BLOCK = 512;

    private Tar() {}

    static void unpack(InputStream in, Path into, List<Path> files) throws IOException {
        byte[] header = new byte[BLOCK];
        String longName = null;
        long total = 0;
        while (true) {
            if (in.readNBytes(header, 0, BLOCK) < BLOCK) {
                throw truncated();
            }
            if (isZero(header)) {
                return; // end of archive
            }
            long size = octal(header, 124, 12);
            char type = (char) header[156];
            String name = longName != null ? longName : name(header);
            longName = null;
            switch (type) {
                case 'L' -> longName = trimNul(new String(readData(in, size), StandardCharsets.UTF_8));
                case 'x' -> longName = paxPath(new String(readData(in, size), StandardCharsets.UTF_8));
                case 'g' -> readData(in, size); // global pax header: nothing we use
                case '5' -> Files.createDirectories(Installer.inside(into, name.endsWith("/") ? name : name + "/"));
                case '0', '\0', '7' -> {
                    Path target = Installer.inside(into, name);
                    Files.createDirectories(target.getParent());
                    total += Installer.copyEntry(new Bounded(in, size), target, total);
                    skipPadding(in, size);
                    if ((octal(header, 100, 8) & 0100) != 0) {
                        target.toFile().setExecutable(true, true);
                    }
                    files.add(target);
                }
                default -> throw new PluginException(
                        Reason.INVALID_ARGUMENT,
                        "the archive's entry '" + Installer.printable(name) + "' is a link or a device (type '" + type
                                + "'); plugin bundles hold regular files only");
            }
        }
    }

    private static String name(byte[] header) {
        String name = trimNul(new String(header, 0, 100, StandardCharsets.UTF_8));
        String magic = new String(header, 257, 5, StandardCharsets.US_ASCII);
        String prefix = magic.equals("ustar") ? trimNul(new String(header, 345, 155, StandardCharsets.UTF_8)) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String paxPath(String records) {
        for (String record : records.split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) {
                return record.substring(space + 1 + "path=".length());
            }
        }
        return null;
    }

    private static byte[] readData(InputStream in, long size) throws IOException {
        if (size < 0 || size > 1024 * 1024) {
            throw new PluginException(Reason.INVALID_ARGUMENT, "the archive has an oversized header record");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) {
            throw truncated();
        }
        skipPadding(in, size);
        return data;
    }

    private static void skipPadding(InputStream in, long size) throws IOException {
        long pad = (BLOCK - size % BLOCK) % BLOCK;
        if (in.readNBytes((int) pad).length < pad) {
            throw truncated();
        }
    }

    private static PluginException truncated() {
        return new PluginException(Reason.INVALID_ARGUMENT, "the archive is truncated; nothing was installed");
    }

    private static long octal(byte[] header, int offset, int length) {
        long value = 0;
        for (int i = offset; i < offset + length; i++) {
            byte b = header[i];
            if (b == 0 || b == ' ') {
                if (value > 0) {
                    break;
                }
                continue;
            }
            if (b < '0' || b > '7') {
                throw new PluginException(Reason.INVALID_ARGUMENT, "the archive is not a valid tar file");
            }
            value = value * 8 + (b - '0');
        }
        return value;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String trimNul(String text) {
        int nul = text.indexOf('\0');
        return nul < 0 ? text : text.substring(0, nul);
    }

    /** At most {@code size} bytes of the archive: one entry's data. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long left) {
            this.in = in;
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw truncated();
            }
            left -= n;
            return n;
        }
    }
}
