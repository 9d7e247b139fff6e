package io.eventdbx.emitter.tcp.internal;

import io.eventdbx.emitter.api.EmitterContract;
import io.eventdbx.emitter.api.EmitterFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The contract against a real TCP receiver on loopback that reads lines. */
class TcpEmitterContractTest extends EmitterContract {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private ServerSocket server;
    private Thread acceptor;

    @BeforeEach
    void receiver() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
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

    @Override
    protected boolean matches(String text, io.eventdbx.emitter.api.Envelope envelope) {
        return text.equals(envelope.json()); // exactly one line of the JSON
    }
}
