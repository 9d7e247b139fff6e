package io.eventdbx.store.rocksdb.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine reuses obsolete write-ahead log files (a sync that overwrites needs no file-size journal commit). A reused
 * file still holds its previous records past the new ones: a {@code kill -9} while synced writes go into such a file
 * must lose no acknowledged write, and recovery must not replay any of the older records.
 */
class RecycledLogCrashTest {

    @TempDir
    Path dir;

    @Test
    void killDashNineWhileWritingIntoARecycledLogLosesNothingAndReplaysNothingOld() throws Exception {
        Process writer = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        RecycledLogWriter.class.getName(),
                        dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        int lastAck = -1;
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String first = lines.readLine();
            assertNotNull(first, "the writer started");
            // the reused file is at least as long as its first use: ~4 MB, far more than the acknowledged writes below
            long reusedLength = Long.parseLong(first.substring("recycled ".length()));
            assertTrue(reusedLength > 3_000_000, "a log file was reused, holding " + reusedLength + " bytes");
            for (String line; (line = lines.readLine()) != null; ) {
                lastAck = Integer.parseInt(line.substring("ack ".length()));
                if (lastAck == 300) {
                    writer.destroyForcibly(); // SIGKILL, while it writes
                    break;
                }
            }
        } finally {
            writer.destroyForcibly();
            assertTrue(writer.waitFor(60, TimeUnit.SECONDS), "the writer is gone");
        }
        assertEquals(300, lastAck);

        try (RocksDbStorageEngine storage = new RocksDbStorageEngine(dir)) {
            for (int i = 0; i <= lastAck; i++) {
                byte[] expected = ("new-" + i).getBytes(StandardCharsets.UTF_8);
                assertArrayEquals(expected, storage.get(RecycledLogWriter.key(i)), "acknowledged write " + i);
                assertArrayEquals(expected, storage.get(("ack/" + i).getBytes(StandardCharsets.UTF_8)));
            }
            // writes past the last acknowledged one may or may not have survived, but only as whole batches, in order
            int survived = lastAck;
            while (storage.get(("ack/" + (survived + 1)).getBytes(StandardCharsets.UTF_8)) != null) {
                survived++;
            }
            for (int i = survived + 1; i < RecycledLogWriter.OLD_KEYS; i++) {
                byte[] value = storage.get(RecycledLogWriter.key(i));
                assertEquals(1000, value.length, "key " + i + " keeps its old value");
                assertEquals('o', value[0]);
            }
        }
    }
}
