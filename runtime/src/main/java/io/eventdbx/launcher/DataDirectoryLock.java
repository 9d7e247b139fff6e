package io.eventdbx.launcher;

import io.eventdbx.config.DataDirectory;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive lock one process holds on a data directory for as long as it runs a runtime on it, so that
 * two servers, or a server and an embedded command, never open the same data.
 */
final class DataDirectoryLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirectoryLock acquire(DataDirectory dir) {
        try {
            FileChannel channel = FileChannel.open(dir.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new LauncherException("another EventDBX process is using " + dir.root()
                        + " (a server starting or stopping, or another command); try again");
            }
            return new DataDirectoryLock(channel, lock);
        } catch (IOException e) {
            throw new LauncherException("cannot lock " + dir.lockFile() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the process is ending; the OS releases the lock anyway
        }
    }
}
