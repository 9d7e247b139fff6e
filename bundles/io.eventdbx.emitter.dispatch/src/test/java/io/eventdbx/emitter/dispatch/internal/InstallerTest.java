package io.eventdbx.emitter.dispatch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.emitter.api.PluginAdmin.InstalledPlugin;
import io.eventdbx.emitter.api.PluginException;
import io.eventdbx.emitter.api.PluginLayout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallerTest {

    @TempDir
    Path dir;

    private Path data() {
        return dir.resolve("data");
    }

    private Path zip(String name, Map<String, String> entries) throws IOException {
        Path file = dir.resolve(name);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return file;
    }

    /** A tar.gz written by hand in the ustar format: entries of (name, type, mode, content). */
    private Path tarGz(String name, String[][] entries) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (String[] e : entries) {
            byte[] content = e[3].getBytes(StandardCharsets.UTF_8);
            byte[] header = new byte[512];
            put(header, 0, e[0]);
            put(header, 100, String.format("%07o", Integer.parseInt(e[2], 8)));
            put(header, 108, "0000000");
            put(header, 116, "0000000");
            put(header, 124, String.format("%011o", e[1].equals("0") ? content.length : 0));
            put(header, 136, "00000000000");
            header[156] = (byte) e[1].charAt(0);
            if (e[1].equals("2")) {
                put(header, 157, e[3]);
            }
            put(header, 257, "ustar");
            put(header, 263, "00");
            for (int i = 148; i < 156; i++) {
                header[i] = ' ';
            }
            int sum = 0;
            for (byte b : header) {
                sum += b & 0xff;
            }
            put(header, 148, String.format("%06o", sum));
            header[154] = 0;
            tar.write(header);
            if (e[1].equals("0")) {
                tar.write(content);
                tar.write(new byte[(512 - content.length % 512) % 512]);
            }
        }
        tar.write(new byte[1024]);
        Path file = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(tar.toByteArray());
        }
        return file;
    }

    private static void put(byte[] header, int offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }

    @Test
    void aZipIsUnpackedWithItsManifestAndTheBinaryFoundByName() throws Exception {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("README.md", "docs");
        entries.put("bin/search", "#!/bin/sh\necho hi\n");
        Path zip = zip("search.zip", entries);
        InstalledPlugin installed =
                new Installer(data()).install("search", "1.0.0", zip.toString(), null, Installer.sha256(zip), false);
        Path folder = PluginLayout.folder(data(), "search", "1.0.0");
        assertEquals(folder.toString(), installed.folder());
        assertEquals(folder.resolve("bin/search").toString(), installed.binary());
        assertTrue(Files.isExecutable(folder.resolve("bin/search")));
        assertTrue(Files.readString(folder.resolve("plugin.json")).contains("\"bin\" : \"bin/search\""));
        assertEquals("docs", Files.readString(folder.resolve("README.md")));
    }

    @Test
    void aTarGzKeepsItsExecutableBitAndLinksAreRefused() throws Exception {
        Path good = tarGz(
                "good.tar.gz",
                new String[][] {{"tool/run.sh", "0", "755", "#!/bin/sh\n"}, {"tool/data", "0", "644", "x"}});
        InstalledPlugin installed = new Installer(data()).install("tool", "2.1", good.toString(), null, null, false);
        assertTrue(installed.binary().endsWith("tool/run.sh"), installed.binary());
        Path linked = tarGz("linked.tar.gz", new String[][] {{"evil", "2", "777", "/etc/passwd"}});
        PluginException e = assertThrows(PluginException.class, () -> new Installer(data())
                .install("evil", "1", linked.toString(), null, null, false));
        assertTrue(e.getMessage().contains("link"), e.getMessage());
        assertFalse(Files.exists(data().resolve("plugins/evil/1").resolve(PluginLayout.target())));
    }

    @Test
    void pathTraversalAWrongChecksumAndOverwritingAreRefusedWithNothingInstalled() throws Exception {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("ok", "1");
        entries.put("../../escaped", "pwned");
        Path zip = zip("bad.zip", entries);
        PluginException traversal = assertThrows(PluginException.class, () -> new Installer(data())
                .install("bad", "1", zip.toString(), null, null, false));
        assertEquals(PluginException.Reason.INVALID_ARGUMENT, traversal.reason());
        assertTrue(traversal.getMessage().contains("outside"), traversal.getMessage());
        assertFalse(Files.exists(data().resolve("plugins/escaped")));
        assertFalse(Files.exists(PluginLayout.folder(data(), "bad", "1")));
        assertFalse(Files.exists(PluginLayout.folder(data(), "bad", "1").getParent()), "no empty version folder");

        Path binary = dir.resolve("raw");
        Files.writeString(binary, "#!/bin/sh\n");
        PluginException checksum = assertThrows(PluginException.class, () -> new Installer(data())
                .install("raw", "1", binary.toString(), null, "0".repeat(64), false));
        assertTrue(checksum.getMessage().contains("does not match"), checksum.getMessage());
        assertFalse(Files.exists(PluginLayout.folder(data(), "raw", "1")));

        new Installer(data()).install("raw", "1", binary.toString(), null, null, false);
        assertTrue(Files.isExecutable(PluginLayout.folder(data(), "raw", "1").resolve("raw")));
        PluginException again = assertThrows(PluginException.class, () -> new Installer(data())
                .install("raw", "1", binary.toString(), null, null, false));
        assertEquals(PluginException.Reason.CONFLICT, again.reason());
        assertTrue(again.getMessage().contains("--force"), again.getMessage());
        new Installer(data()).install("raw", "1", binary.toString(), null, null, true);
    }

    @Test
    void badArgumentsAreRefusedByName() throws Exception {
        Path binary = dir.resolve("raw");
        Files.writeString(binary, "x");
        Installer installer = new Installer(data());
        assertTrue(assertThrows(
                        PluginException.class,
                        () -> installer.install("../x", "1", binary.toString(), null, null, false))
                .getMessage()
                .contains("plugin id"));
        assertTrue(assertThrows(
                        PluginException.class,
                        () -> installer.install("x", "1", dir.resolve("none").toString(), null, null, false))
                .getMessage()
                .contains("is not a file"));
        assertTrue(assertThrows(
                        PluginException.class, () -> installer.install("x", "1", binary.toString(), null, "abc", false))
                .getMessage()
                .contains("--checksum"));
        Map<String, String> two = new LinkedHashMap<>();
        two.put("a", "1");
        two.put("b", "2");
        Path zip = zip("two.zip", two);
        assertTrue(assertThrows(
                        PluginException.class, () -> installer.install("x", "1", zip.toString(), null, null, false))
                .getMessage()
                .contains("--bin"));
        assertTrue(
                assertThrows(PluginException.class, () -> installer.install("x", "1", zip.toString(), "c", null, false))
                        .getMessage()
                        .contains("--bin c"));
        installer.install("x", "1", zip.toString(), "b", null, false);
    }
}
