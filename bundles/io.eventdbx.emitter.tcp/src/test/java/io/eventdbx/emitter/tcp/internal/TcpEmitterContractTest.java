package io.eventdbx.emitter.tcp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.EmitterContract;
import io.eventdbx.emitter.api.EmitterFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract against a real TCP receiver on loopback that reads lines. */
class TcpEmitterContractTest extends EmitterContract {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private ServerSocket server;
    private Thread acceptor;

    @BeforeEach
    void receiver() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    connections.add(s);
                    Thread reader = new Thread(() -> {
                        try (BufferedReader in =
                                new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
                            for (String line = in.readLine(); line != null; line = in.readLine()) {
                                lines.add(line);
                            }
                        } catch (IOException ignored) {
                            // the connection ended
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

    @AfterEach
    void stop() throws Exception {
        server.close();
        acceptor.join(5_000);
    }

    @Override
    protected EmitterFactory factory() {
        return new TcpEmitterFactory();
    }

    @Override
    protected Map<String, List<String>> liveOptions() {
        return Map.of("host", List.of("127.0.0.1"), "port", List.of(Integer.toString(server.getLocalPort())));
    }

    @Override
    protected Map<String, List<String>> unreachableOptions() {
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = closed.getLocalPort(); // free once closed: nothing listens there
            return Map.of("host", List.of("127.0.0.1"), "port", List.of(Integer.toString(port)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected List<String> received() {
        return List.copyOf(lines);
    }

    @Test
    void whatAReceiverMayNotHaveReadWhenItDroppedTheConnectionIsWrittenAgain() throws Exception {
        try (Emitter emitter = factory().create("t", liveOptions())) {
            assertEquals(
                    Delivery.Outcome.DELIVERED,
                    emitter.deliver(List.of(envelope(1, "a"))).outcome());
            awaitLines(1);
            for (Socket c : connections) {
                c.close(); // the receiver drops the connection (a restart, say)
            }
            // written into a connection the receiver closed: the kernel may accept it, the receiver never reads it
            emitter.deliver(List.of(envelope(2, "a")));
            Delivery third = emitter.deliver(List.of(envelope(3, "a")));
            assertEquals(Delivery.Outcome.DELIVERED, third.outcome(), String.valueOf(third.reason()));
        }
        // at least once: a line may come twice, so wait for the versions, not for a number of lines
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!versions().equals(Set.of(1L, 2L, 3L)) && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling a condition with a deadline
        }
        assertEquals(Set.of(1L, 2L, 3L), versions(), "every event arrived (some perhaps twice): " + lines);
    }

    private Set<Long> versions() {
        Set<Long> versions = new HashSet<>();
        for (String line : lines) {
            String tail = line.substring(line.indexOf("\"version\":") + "\"version\":".length());
            versions.add(Long.parseLong(tail.substring(0, tail.indexOf(','))));
        }
        return versions;
    }

    private void awaitLines(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lines.size() < count) {
            assertTrue(System.nanoTime() < deadline, "lines: " + lines);
            Thread.sleep(10);
        }
    }

    @Override
    protected boolean matches(String text, io.eventdbx.emitter.api.Envelope envelope) {
        return text.equals(envelope.json()); // exactly one line of the JSON
    }
}
