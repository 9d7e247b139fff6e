package io.eventdbx.control.internal;

import io.eventdbx.control.protocol.ControlProtocol;
import io.eventdbx.control.protocol.Frame;
import io.eventdbx.control.protocol.ProtocolException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Standard input of a remote shell: the payloads of STDIN frames, until STDIN_EOF or the connection ends. */
final class FrameInputStream extends InputStream {

    private final DataInputStream in;
    private byte[] current = new byte[0];
    private int position;
    private boolean eof;

    FrameInputStream(DataInputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (position >= current.length) {
            if (eof) {
                return -1;
            }
            Frame frame;
            try {
                frame = Frame.read(in, ControlProtocol.MAX_FRAME);
            } catch (EOFException e) {
                eof = true;
                return -1;
            }
            if (frame.type() == Frame.STDIN_EOF) {
                eof = true;
            } else if (frame.type() == Frame.STDIN) {
                current = frame.payload();
                position = 0;
            } else {
                throw new ProtocolException("unexpected frame type " + (char) frame.type() + " during a shell session");
            }
        }
        int n = Math.min(length, current.length - position);
        System.arraycopy(current, position, buffer, offset, n);
        position += n;
        return n;
    }
}
