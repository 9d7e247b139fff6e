package io.eventdbx.launcher;

import java.io.IOException;
import java.io.OutputStream;

/** Writes to two streams: the console and the log file of a foreground server. */
final class TeeOutputStream extends OutputStream {

    private final OutputStream first;
    private final OutputStream second;

    TeeOutputStream(OutputStream first, OutputStream second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        first.write(b);
        second.write(b);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        first.write(bytes, offset, length);
        second.write(bytes, offset, length);
    }

    @Override
    public synchronized void flush() throws IOException {
        first.flush();
        second.flush();
    }
}
