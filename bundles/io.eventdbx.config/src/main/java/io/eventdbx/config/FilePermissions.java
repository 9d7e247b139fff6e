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
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
        }
        restrictToOwner(dir);
    }

    /**
     * Takes every permission of group and others away from an existing file or directory (one the operator made
     * before the first start with the usual 0755 or 0644), keeping the owner's.
     *
     * @param path an existing file or directory
     * @return whether its permissions were changed
     * @throws IOException if they cannot be read or changed (a file of another user, say)
     */
    public static boolean restrictToOwner(Path path) throws IOException {
        if (!POSIX || !Files.exists(path)) {
            return false;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
        Set<PosixFilePermission> owner = java.util.EnumSet.noneOf(PosixFilePermission.class);
        perms.stream().filter(p -> p.name().startsWith("OWNER_")).forEach(owner::add);
        if (Files.isDirectory(path)) {
            owner.addAll(OWNER_DIR);
        }
        if (owner.equals(perms)) {
            return false;
        }
        Files.setPosixFilePermissions(path, owner);
        return true;
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
