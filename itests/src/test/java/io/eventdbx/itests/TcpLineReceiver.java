package io.eventdbx.itests;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** A TCP receiver for plugin itests: keeps every line; can go down and come back on the same port. */
final class TcpLineReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final int port;
    private volatile ServerSocket server;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();

    TcpLineReceiver() throws IOException {
        ServerSocket first = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.port = first.getLocalPort();
        listen(first);
    }

    int port() {
        return port;
    }

    void up() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        listen(s);
    }

    void down() throws IOException {
        server.close();
        for (Socket c : connections) {
            c.close();
        }
        connections.clear();
    }

    private void listen(ServerSocket s) {
        server = s;
        Thread acceptor = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Socket c = s.accept();
                    connections.add(c);
                    Thread reader = new Thread(() -> {
                        try (BufferedReader in =
                                new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
                            for (String line = in.readLine(); line != null; line = in.readLine()) {
                                lines.add(line);
                            }
                        } catch (IOException ignored) {
                            // closed
                        }
                    });
                    reader.setDaemon(true);
                    reader.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    Set<String> eventIds() {
        Set<String> out = new HashSet<>();
        for (String line : lines) {
            out.add(eventId(line));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        down();
    }

    static String eventId(String line) {
        try {
            return JSON.readTree(line).path("metadata").path("event_id").asText();
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }
}
