package io.eventdbx.config;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Creates files and directories that only their owner can read, on file systems that support it. */
public final class FilePermissions {

    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private FilePermissions() {}

    /**
     * Creates a new empty file readable and writable by its owner only.
     *
     * @param file the file to create; it must not exist
     * @throws IOException if it exists or cannot be created
     */
    public static void createOwnerOnlyFile(Path file) throws IOException {
        if (POSIX) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_FILE));
        } else {
            Files.createFile(file);
        }
    }

    /**
     * Creates a directory (and its parents) and restricts the directory itself to its owner.
     *
     * @param dir the directory
     * @throws IOException if it cannot be created
     */
    public static void createOwnerOnlyDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Files.createDirectories(dir);
        if (POSIX) {
            Files.setPosixFilePermissions(dir, OWNER_DIR);
        }
    }

    /**
     * Whether a file is readable or writable by anyone but its owner.
     *
     * @param file an existing file
     * @return true if group or others have any permission; false on non-POSIX file systems
     * @throws IOException if the permissions cannot be read
     */
    public static boolean isExposed(Path file) throws IOException {
        if (!POSIX) {
            return false;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        return perms.stream().anyMatch(p -> !p.name().startsWith("OWNER_"));
    }
}
