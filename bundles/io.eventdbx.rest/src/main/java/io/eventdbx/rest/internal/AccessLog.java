package io.eventdbx.rest.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log, {@code <data_dir>/logs/access.log}: one line per request, written by its own thread so that a
 * request only hands over a small record. Writing each line through the server log from the request threads
 * (one lock, one date format and one write per line) cost a third of the read throughput.
 *
 * <p>Line format: {@code <time> <request id> <method> <path> <status> <micros>us <group>/<user>|-}. Never bodies,
 * payloads or tokens. If the writer falls more than {@value #CAPACITY} lines behind, lines are dropped and counted,
 * and the count is written when it catches up: a request never waits for the log.
 */
final class AccessLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    static final int CAPACITY = 65_536;

    /** One request, as it is logged. */
    record Entry(
            long epochMillis, String requestId, String method, String path, int status, long micros, String caller) {}

    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final Writer out;
    private final Thread writer;
    private volatile boolean closing;

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
        if (!queue.offer(entry)) {
            dropped.incrementAndGet();
        }
    }

    private void drain() {
        List<Entry> batch = new ArrayList<>(1024);
        StringBuilder line = new StringBuilder(160);
        try {
            while (!closing || !queue.isEmpty()) {
                Entry first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 1023);
                for (Entry e : batch) {
                    line.setLength(0);
                    line.append(Instant.ofEpochMilli(e.epochMillis()))
                            .append(' ')
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
                batch.clear();
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    out.append(Instant.now().toString())
                            .append(" - access log fell behind: ")
                            .append(Long.toString(lost))
                            .append(" lines dropped\n");
                }
                if (queue.isEmpty()) {
                    out.flush(); // a quiet moment: make what was written visible
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.error("the access log cannot be written; requests go on without it", e);
        }
    }

    /** Writes what is queued, stops the writer and closes the file. */
    @Override
    public void close() {
        closing = true;
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
