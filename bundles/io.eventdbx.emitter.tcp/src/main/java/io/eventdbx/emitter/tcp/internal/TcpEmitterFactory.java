package io.eventdbx.emitter.tcp.internal;

import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.EmitterFactory;
import io.eventdbx.emitter.api.Envelope;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * {@code dbx plugin config tcp --name <label> --host <hostname> --port <u16>}: one line of compact {@code
 * EventRecord} JSON and {@code \n} per event on a connection kept open between deliveries; a batch is written with
 * one flush. A failed write closes the connection and answers retry for the whole batch (what the receiver got of it
 * comes again: receivers drop duplicates by {@code metadata.event_id}); the next delivery connects anew.
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

    static final class TcpEmitter implements Emitter {
        private final String host;
        private final int port;
        private volatile Socket socket;
        private OutputStream out;

        TcpEmitter(String host, int port) {
            this.host = host;
            this.port = port;
        }

        @Override
        public Delivery deliver(List<Envelope> batch) {
            try {
                if (socket == null) {
                    Socket s = new Socket();
                    s.setTcpNoDelay(true);
                    s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
                    socket = s;
                    out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
                }
                for (Envelope e : batch) {
                    out.write(e.json().getBytes(StandardCharsets.UTF_8));
                    out.write('\n');
                }
                out.flush();
                return Delivery.delivered(batch.size());
            } catch (IOException e) {
                close();
                return Delivery.retry(0, null, "tcp " + host + ":" + port + ": " + e.getMessage());
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
            Socket s = socket;
            socket = null;
            out = null;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing: nothing to do
                }
            }
        }
    }
}
