package io.eventdbx.control.internal;

import io.eventdbx.control.protocol.Frame;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes everything as frames of one type (standard output or standard error). Both streams of a
 * connection share the socket, so writes are serialised on it.
 */
final class FrameOutputStream extends OutputStream {

    private final DataOutputStream out;
    private final byte type;

    FrameOutputStream(DataOutputStream out, byte type) {
        this.out = out;
        this.type = type;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) {
            return;
        }
        synchronized (out) {
            Frame.write(out, type, bytes, offset, length);
        }
    }

    @Override
    public void flush() throws IOException {
        synchronized (out) {
            out.flush();
        }
    }
}
