package io.eventdbx.control.internal;

import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Standard input of one remote command: the payloads of the STDIN frames that the watcher of its connection reads,
 * until STDIN_EOF or the connection ends. The watcher never blocks on it (it must go on noticing a launcher that
 * goes away); what a command does not read is kept up to {@link #MAX_BUFFERED} bytes and the rest dropped.
 */
final class CommandInput extends InputStream {

    /** More unread input than a command could want from a terminal or a pipe into a prompt. */
    static final long MAX_BUFFERED = 1 << 20;

    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private final AtomicLong buffered = new AtomicLong();
    private byte[] current = new byte[0];
    private int position;
    private boolean ended;

    /** Adds what the launcher sent, unless more than {@link #MAX_BUFFERED} bytes wait unread. */
    void offer(byte[] chunk) {
        if (chunk.length > 0 && buffered.addAndGet(chunk.length) <= MAX_BUFFERED) {
            chunks.add(chunk);
        } else {
            buffered.addAndGet(-chunk.length);
        }
    }

    /** The launcher's input ended (or its connection did): readers see the end after what is buffered. */
    void end() {
        chunks.add(END);
    }

    @Override
    public int read() throws InterruptedIOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] buffer, int offset, int length) throws InterruptedIOException {
        if (length == 0) {
            return 0;
        }
        while (position >= current.length) {
            if (ended) {
                return -1;
            }
            byte[] next;
            try {
                next = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("the launcher went away while the command read its input");
            }
            if (next == END) {
                ended = true;
                return -1;
            }
            buffered.addAndGet(-next.length);
            current = next;
            position = 0;
        }
        int n = Math.min(length, current.length - position);
        System.arraycopy(current, position, buffer, offset, n);
        position += n;
        return n;
    }

    @Override
    public int available() {
        return current.length - position;
    }
}
