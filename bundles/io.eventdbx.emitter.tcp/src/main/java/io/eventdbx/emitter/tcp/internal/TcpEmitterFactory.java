package io.eventdbx.emitter.tcp.internal;

import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.EmitterFactory;
import io.eventdbx.emitter.api.Envelope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * {@code dbx plugin config tcp --name <label> --host <hostname> --port <u16>}: one line of compact {@code
 * EventRecord} JSON and {@code \n} per event on a connection kept open between deliveries; a batch is written with
 * one write. A failed write closes the connection and answers unreachable for the whole batch (what the receiver got of it
 * comes again: receivers drop duplicates by {@code metadata.event_id}); the next delivery connects anew and first
 * writes again what the receiver may not have read before the connection ended.
 */
@Component(service = EmitterFactory.class)
public final class TcpEmitterFactory implements EmitterFactory {

    static final int CONNECT_TIMEOUT_MILLIS = 3_000;

    @Override
    public String type() {
        return "tcp";
    }

    @Override
    public String description() {
        return "One line of EventRecord JSON per event on a TCP connection";
    }

    @Override
    public List<Option> options() {
        return List.of(
                new Option("host", "the receiver's host name or address", true, false, false, false),
                new Option("port", "the receiver's port, 1 to 65535", true, false, false, false));
    }

    @Override
    public Emitter create(String name, Map<String, List<String>> options) {
        String host = single(options, "host");
        if (host.isBlank() || host.length() > 253 || !host.matches("[A-Za-z0-9.:\\[\\]_-]+")) {
            throw new IllegalArgumentException("--host must be a host name or an address, got '" + host + "'");
        }
        String portText = single(options, "port");
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--port must be a number from 1 to 65535, got '" + portText + "'");
        }
        return new TcpEmitter(host, port);
    }

    private static String single(Map<String, List<String>> options, String name) {
        List<String> values = options.get(name);
        if (values == null || values.isEmpty()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return values.get(0);
    }

    /**
     * One instance's connection. TCP accepts bytes into the kernel before the receiver has read them: when a receiver
     * goes away, the batch written just before is reported written yet may be lost. So the emitter keeps what it
     * wrote until a later check shows the connection still open at least {@value #SETTLE_MILLIS} ms after the write,
     * and on finding the connection closed it reconnects and writes those batches again before anything new. A
     * receiver may therefore see a line twice (it drops duplicates by {@code metadata.event_id}), but not miss one.
     */
    static final class TcpEmitter implements Emitter {
        static final long SETTLE_MILLIS = 200;
        static final int MAX_KEPT_BYTES = 32 * 1024 * 1024;

        private final String host;
        private final int port;
        private volatile SocketChannel channel;
        private final ArrayDeque<Written> kept = new ArrayDeque<>();
        private long keptBytes;
        private final ByteBuffer probe = ByteBuffer.allocate(4096);

        private record Written(long atNanos, byte[] bytes) {}

        TcpEmitter(String host, int port) {
            this.host = host;
            this.port = port;
        }

        @Override
        public Delivery deliver(List<Envelope> batch) {
            long now = System.nanoTime();
            try {
                if (channel != null && !stillOpen()) {
                    close(); // the receiver closed it: what it may not have read is written again below
                }
                if (channel == null) {
                    connect();
                    for (Written w : kept) {
                        write(w.bytes());
                    }
                } else {
                    settle(now);
                }
                ByteArrayOutputStream lines = new ByteArrayOutputStream(batch.size() * 512);
                for (Envelope e : batch) {
                    lines.write(e.json().getBytes(StandardCharsets.UTF_8));
                    lines.write('\n');
                }
                byte[] bytes = lines.toByteArray();
                write(bytes);
                keep(now, bytes);
                return Delivery.delivered(batch.size());
            } catch (IOException e) {
                close();
                return Delivery.unreachable(0, "tcp " + host + ":" + port + ": " + e.getMessage());
            }
        }

        private void connect() throws IOException {
            SocketChannel c = SocketChannel.open();
            try {
                c.socket().setTcpNoDelay(true);
                c.socket().connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                c.close();
                throw e;
            }
            channel = c;
        }

        private void write(byte[] bytes) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }

        /** Whether the receiver has not closed the connection: a read that does not wait (data it sends is dropped). */
        private boolean stillOpen() {
            try {
                channel.configureBlocking(false);
                int n;
                do {
                    probe.clear();
                    n = channel.read(probe);
                } while (n > 0);
                channel.configureBlocking(true);
                return n == 0;
            } catch (IOException e) {
                return false;
            }
        }

        /** The connection was open just now: batches written long enough before have been taken. */
        private void settle(long now) {
            while (!kept.isEmpty() && now - kept.peekFirst().atNanos() > SETTLE_MILLIS * 1_000_000) {
                keptBytes -= kept.pollFirst().bytes().length;
            }
        }

        private void keep(long now, byte[] bytes) {
            kept.addLast(new Written(now, bytes));
            keptBytes += bytes.length;
            while (keptBytes > MAX_KEPT_BYTES && kept.size() > 1) {
                keptBytes -= kept.pollFirst().bytes().length; // bounded memory over a perfect replay
            }
        }

        @Override
        public void check() throws IOException {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                throw new IOException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            SocketChannel c = channel;
            channel = null;
            if (c != null) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing: nothing to do
                }
            }
        }
    }
}
