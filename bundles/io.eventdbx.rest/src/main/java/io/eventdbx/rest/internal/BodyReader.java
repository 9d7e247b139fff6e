package io.eventdbx.rest.internal;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a request body as it arrives, on whichever container thread has data, so that no thread waits for a slow
 * client; under a deadline and a size limit. Exactly one outcome is reported.
 */
final class BodyReader implements ReadListener {

    /** How a body read ends. */
    interface Outcome {
        /** The whole body: its bytes when kept, else null. */
        void read(byte[] body);

        /** More than the limit arrived; what is left is not read. */
        void tooLarge();

        /** The deadline passed first. */
        void timedOut();

        /** The body cannot be read (a broken chunked coding, a reset connection). */
        void failed(Throwable failure);
    }

    private final ServletInputStream in;
    private final long limit;
    private final ByteArrayOutputStream kept; // null: the body is dropped
    private final Outcome outcome;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final byte[] chunk = new byte[8 * 1024];
    private long count;
    private Deadlines.Deadline deadline;

    private BodyReader(ServletInputStream in, long limit, boolean keep, Outcome outcome) {
        this.in = in;
        this.limit = limit;
        this.kept = keep ? new ByteArrayOutputStream() : null;
        this.outcome = outcome;
    }

    /**
     * Starts reading; the request must be asynchronous already.
     *
     * @param in the request's input
     * @param limit the most bytes read
     * @param keep whether to keep the bytes (false: read and drop them)
     * @param deadlines runs the deadline
     * @param deadlineMillis how long the whole body may take
     * @param outcome told once how it ended
     */
    static void start(
            ServletInputStream in,
            long limit,
            boolean keep,
            Deadlines deadlines,
            long deadlineMillis,
            Outcome outcome) {
        BodyReader reader = new BodyReader(in, limit, keep, outcome);
        reader.deadline = deadlines.start(deadlineMillis, () -> reader.settle(outcome::timedOut));
        in.setReadListener(reader);
    }

    @Override
    public void onDataAvailable() throws IOException {
        while (!settled.get() && in.isReady()) {
            int n = in.read(chunk);
            if (n < 0) {
                return;
            }
            count += n;
            if (kept != null) {
                kept.write(chunk, 0, n);
            }
            if (count > limit) {
                settle(outcome::tooLarge);
                return;
            }
        }
    }

    @Override
    public void onAllDataRead() {
        settle(() -> outcome.read(kept == null ? null : kept.toByteArray()));
    }

    @Override
    public void onError(Throwable failure) {
        settle(() -> outcome.failed(failure));
    }

    private void settle(Runnable report) {
        if (settled.compareAndSet(false, true)) {
            deadline.cancel();
            report.run();
        }
    }
}
