package io.eventdbx.store.rocksdb.internal;

import io.eventdbx.store.api.WriteBatch;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * The process {@link RecycledLogCrashTest} kills: it makes RocksDB recycle a write-ahead log file that still holds
 * ~4 MB of older records, then writes synced batches into it and reports each one after its write returned.
 */
public final class RecycledLogWriter {

    private RecycledLogWriter() {}

    static final int OLD_KEYS = 4_000;

    static byte[] key(int i) {
        return ("k/" + i).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Runs the writer.
     *
     * @param args the database folder
     * @throws Exception if anything fails (the test then sees no "recycled" line)
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        PrintStream out = System.out;
        RocksDbStorageEngine storage = new RocksDbStorageEngine(dir);
        byte[] old = new byte[1000];
        Arrays.fill(old, (byte) 'o');
        // first log file: ~4 MB of old values, then flushed, so the file becomes obsolete and is kept for reuse
        for (int i = 0; i < OLD_KEYS; i++) {
            storage.write(new WriteBatch().put(key(i), old), false);
        }
        storage.flush();
        // second log file: a little, flushed too; the next log file is the first one, reused
        storage.write(new WriteBatch().put("between".getBytes(StandardCharsets.UTF_8), old), false);
        storage.flush();
        out.println("recycled " + largestLog(dir));
        out.flush();
        // overwrite the old keys, one synced batch each; after the kill, recovery must replay these and none of the
        // older records further along in the reused file
        for (int i = 0; ; i++) {
            byte[] value = ("new-" + i).getBytes(StandardCharsets.UTF_8);
            storage.write(
                    new WriteBatch()
                            .put(key(i % OLD_KEYS), value)
                            .put(("ack/" + i).getBytes(StandardCharsets.UTF_8), value),
                    true);
            out.println("ack " + i);
            out.flush();
        }
    }

    private static long largestLog(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log"))
                    .mapToLong(p -> p.toFile().length())
                    .max()
                    .orElse(0);
        }
    }
}
