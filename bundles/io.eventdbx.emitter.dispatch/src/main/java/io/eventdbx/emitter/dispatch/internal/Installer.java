package io.eventdbx.emitter.dispatch.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventdbx.emitter.api.PluginAdmin.InstalledPlugin;
import io.eventdbx.emitter.api.PluginException;
import io.eventdbx.emitter.api.PluginException.Reason;
import io.eventdbx.emitter.api.PluginLayout;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * {@code dbx plugin install}: fetches a plugin bundle (a path or an http(s) URL), checks its SHA-256, unpacks it (zip,
 * tar, tar.gz, or a single binary) into a temporary folder beside its destination, refusing any entry that would land
 * outside it, finds its binary, then moves the folder into place. Nothing half-unpacked is ever at the destination.
 */
final class Installer {

    static final long MAX_BYTES = 512L * 1024 * 1024;
    private final Path dataDir;

    Installer(Path dataDir) {
        this.dataDir = dataDir;
    }

    InstalledPlugin install(String plugin, String version, String source, String bin, String checksum, boolean force) {
        Path folder;
        try {
            folder = PluginLayout.folder(dataDir, plugin, version);
        } catch (IllegalArgumentException e) {
            throw new PluginException(Reason.INVALID_ARGUMENT, e.getMessage());
        }
        if (source == null || source.isBlank()) {
            throw new PluginException(Reason.INVALID_ARGUMENT, "--source is required: a file path or an http(s) URL");
        }
        if (checksum != null && !checksum.matches("[0-9a-fA-F]{64}")) {
            throw new PluginException(Reason.INVALID_ARGUMENT, "--checksum must be a SHA-256 in hex (64 characters)");
        }
        if (Files.exists(folder) && !force) {
            throw new PluginException(
                    Reason.CONFLICT,
                    "plugin " + plugin + " " + version + " is installed already at " + folder + "; pass --force to"
                            + " replace it");
        }
        Path staging = null;
        Path downloaded = null;
        // a version folder this call made is removed again when nothing gets installed in it
        Path madeFolder = Files.exists(folder.getParent()) ? null : folder.getParent();
        try {
            Files.createDirectories(folder.getParent());
            Path file;
            if (source.startsWith("http://") || source.startsWith("https://")) {
                downloaded = Files.createTempFile(folder.getParent(), ".download-", ".tmp");
                download(source, downloaded);
                file = downloaded;
            } else {
                file = Path.of(source);
                if (!Files.isRegularFile(file)) {
                    throw new PluginException(Reason.INVALID_ARGUMENT, "--source " + source + " is not a file");
                }
                if (Files.size(file) > MAX_BYTES) {
                    throw new PluginException(Reason.INVALID_ARGUMENT, "--source is larger than 512 MiB");
                }
            }
            String sha256 = sha256(file);
            if (checksum != null && !checksum.equalsIgnoreCase(sha256)) {
                throw new PluginException(
                        Reason.INVALID_ARGUMENT,
                        "the checksum does not match: --checksum " + checksum.toLowerCase(Locale.ROOT)
                                + ", the source's" + " SHA-256 " + sha256 + "; nothing was installed");
            }
            staging = Files.createTempDirectory(folder.getParent(), "." + folder.getFileName() + "-");
            List<Path> files = unpack(file, staging, plugin);
            Path binary = binary(staging, files, plugin, bin);
            binary.toFile().setExecutable(true, true);
            String relative = staging.relativize(binary).toString();
            writeManifest(staging, plugin, version, relative);
            if (Files.exists(folder)) {
                deleteTree(folder);
            }
            Files.move(staging, folder, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
            madeFolder = null;
            return new InstalledPlugin(
                    plugin,
                    version,
                    PluginLayout.target(),
                    folder.toString(),
                    folder.resolve(relative).toString(),
                    sha256);
        } catch (IOException e) {
            throw new PluginException(Reason.UNAVAILABLE, "installing plugin " + plugin + " failed: " + e.getMessage());
        } finally {
            try {
                if (staging != null) {
                    deleteTree(staging);
                }
                if (downloaded != null) {
                    Files.deleteIfExists(downloaded);
                }
                if (madeFolder != null) {
                    Files.deleteIfExists(madeFolder); // only if empty: anything else in it is not ours to drop
                }
            } catch (IOException ignored) {
                // best effort: a leftover temporary folder starts with '.', never a version's target
            }
        }
    }

    private static void download(String url, Path into) throws IOException {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        try {
            HttpResponse<InputStream> response = client.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofMinutes(5))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() / 100 != 2) {
                    throw new PluginException(
                            Reason.UNAVAILABLE, "downloading " + url + " answered HTTP " + response.statusCode());
                }
                copyLimited(in, into);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading", e);
        } catch (IllegalArgumentException e) {
            throw new PluginException(Reason.INVALID_ARGUMENT, "--source is not a valid URL: " + e.getMessage());
        }
    }

    private static void copyLimited(InputStream in, Path into) throws IOException {
        try (OutputStream out = Files.newOutputStream(into)) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                total += n;
                if (total > MAX_BYTES) {
                    throw new PluginException(Reason.INVALID_ARGUMENT, "the plugin bundle is larger than 512 MiB");
                }
                out.write(buffer, 0, n);
            }
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of()
                    .formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Unpacks by content: zip, gzip (a tar inside), tar, or else a single binary named after the plugin. */
    private static List<Path> unpack(Path file, Path into, String plugin) throws IOException {
        byte[] head = new byte[512];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(head, 0, head.length);
        }
        List<Path> files = new ArrayList<>();
        if (read >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                long total = 0;
                for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                    Path target = inside(into, entry.getName());
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                        continue;
                    }
                    Files.createDirectories(target.getParent());
                    total += copyEntry(zip, target, total);
                    files.add(target);
                }
            }
        } else if (read >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                Tar.unpack(in, into, files);
            }
        } else if (read == 512 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                Tar.unpack(in, into, files);
            }
        } else {
            Path target = into.resolve(plugin);
            Files.copy(file, target);
            files.add(target);
        }
        if (files.isEmpty()) {
            throw new PluginException(Reason.INVALID_ARGUMENT, "the plugin bundle holds no file");
        }
        return files;
    }

    static long copyEntry(InputStream in, Path target, long before) throws IOException {
        long written = 0;
        try (OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                written += n;
                if (before + written > 4 * MAX_BYTES) {
                    throw new PluginException(Reason.INVALID_ARGUMENT, "the plugin bundle unpacks to more than 2 GiB");
                }
                out.write(buffer, 0, n);
            }
        }
        return written;
    }

    /** An archive entry's destination, refused if it would land outside the folder. */
    static Path inside(Path root, String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains("\0")) {
            throw new PluginException(
                    Reason.INVALID_ARGUMENT, "the archive has an entry with an unsafe path: '" + printable(name) + "'");
        }
        Path target = root.resolve(name).normalize();
        if (!target.startsWith(root) || target.equals(root) && !name.endsWith("/")) {
            throw new PluginException(
                    Reason.INVALID_ARGUMENT,
                    "the archive has an entry outside its folder: '" + printable(name) + "'; nothing was installed");
        }
        return target;
    }

    private static Path binary(Path root, List<Path> files, String plugin, String bin) {
        if (bin != null) {
            Path named = inside(root, bin);
            if (!files.contains(named)) {
                throw new PluginException(
                        Reason.INVALID_ARGUMENT, "--bin " + printable(bin) + " is not a file in the plugin bundle");
            }
            return named;
        }
        List<Path> byName = files.stream()
                .filter(f -> f.getFileName().toString().equals(plugin))
                .toList();
        if (byName.size() == 1) {
            return byName.get(0);
        }
        List<Path> executables = files.stream().filter(Files::isExecutable).toList();
        if (executables.size() == 1) {
            return executables.get(0);
        }
        if (files.size() == 1) {
            return files.get(0);
        }
        throw new PluginException(
                Reason.INVALID_ARGUMENT,
                "cannot tell which file of the bundle is the plugin's binary; name it with --bin <path in the bundle>");
    }

    private static void writeManifest(Path folder, String plugin, String version, String bin) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode node = json.createObjectNode();
        node.put("plugin", plugin);
        node.put("version", version);
        node.put("target", PluginLayout.target());
        node.put("bin", bin);
        Files.write(
                folder.resolve(PluginLayout.MANIFEST),
                json.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
        try {
            Files.setPosixFilePermissions(
                    folder,
                    Set.of(
                            PosixFilePermission.OWNER_READ,
                            PosixFilePermission.OWNER_WRITE,
                            PosixFilePermission.OWNER_EXECUTE));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (DirectoryNotEmptyException e) {
                    throw new IOException("cannot remove " + p, e);
                }
            }
        }
    }

    static String printable(String text) {
        return Dispatcher.printable(text);
    }
}
