package io.eventdbx.rest.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log, {@code <data_dir>/logs/access.log}: one line per request, written by its own thread so that a
 * request only hands over a small record. Writing each line through the server log from the request threads
 * (one lock, one date format and one write per line) cost a third of the read throughput. The writer is not woken
 * per line either: it wakes every {@value #INTERVAL_MILLIS} ms and writes what has queued up, since a wake-up per
 * request (a blocking queue's signal) cost a context switch per request.
 *
 * <p>Line format: {@code <time> <request id> <method> <path> <status> <micros>us <group>/<user>|-}. Never bodies,
 * payloads or tokens. If the writer falls more than {@value #CAPACITY} lines behind, lines are dropped and counted,
 * and the count is written when it catches up: a request never waits for the log.
 */
final class AccessLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    static final int CAPACITY = 65_536;
    static final long INTERVAL_MILLIS = 20;

    /** One request, as it is logged. */
    record Entry(
            long epochMillis, String requestId, String method, String path, int status, long micros, String caller) {}

    private final Queue<Entry> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final Writer out;
    private final Thread writer;
    private volatile boolean closing;
    // the writer thread's own: the second last formatted and its text
    private long formattedSecond;
    private String secondPrefix;

    AccessLog(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        this.out = Files.newBufferedWriter(
                file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        this.writer = new Thread(this::drain, "dbx-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues a line; never blocks. */
    void log(Entry entry) {
        if (queued.incrementAndGet() > CAPACITY) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
        } else {
            queue.add(entry);
        }
    }

    private void drain() {
        StringBuilder line = new StringBuilder(160);
        try {
            while (true) {
                boolean last = closing; // read before draining: whatever was queued before close() is written
                boolean wrote = false;
                for (Entry e = queue.poll(); e != null; e = queue.poll()) {
                    queued.decrementAndGet();
                    wrote = true;
                    line.setLength(0);
                    appendTime(line, e.epochMillis());
                    line.append(' ')
                            .append(e.requestId())
                            .append(' ')
                            .append(e.method())
                            .append(' ')
                            .append(e.path())
                            .append(' ')
                            .append(e.status())
                            .append(' ')
                            .append(e.micros())
                            .append("us ")
                            .append(e.caller())
                            .append('\n');
                    out.append(line);
                }
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    out.append(Instant.now().toString())
                            .append(" - access log fell behind: ")
                            .append(Long.toString(lost))
                            .append(" lines dropped\n");
                }
                if (wrote || lost > 0) {
                    out.flush();
                }
                if (last) {
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS));
            }
        } catch (IOException e) {
            LOG.error("the access log cannot be written; requests go on without it", e);
        }
    }

    /**
     * Appends {@code 2026-12-02T13:04:05.123Z}: the same ISO-8601 instant as {@link Instant#toString()}, always with
     * milliseconds. The text up to the second is made once per second: formatting an {@code Instant} per line was
     * most of the writer thread's CPU, a twelfth of a GET's.
     */
    private void appendTime(StringBuilder line, long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        if (second != formattedSecond || secondPrefix == null) {
            String text = Instant.ofEpochSecond(second).toString(); // ends in "Z", no fraction
            secondPrefix = text.substring(0, text.length() - 1) + '.';
            formattedSecond = second;
        }
        int millis = (int) Math.floorMod(epochMillis, 1000);
        line.append(secondPrefix)
                .append((char) ('0' + millis / 100))
                .append((char) ('0' + millis / 10 % 10))
                .append((char) ('0' + millis % 10))
                .append('Z');
    }

    /** Writes what is queued, stops the writer and closes the file. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(writer);
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("closing the access log failed", e);
        }
    }
}
