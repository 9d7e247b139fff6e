package io.eventdbx.emitter.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.EmitterContract;
import io.eventdbx.emitter.api.EmitterFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract against a real HTTP server on loopback (the JDK's). */
class HttpEmitterContractTest extends EmitterContract {

    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(204);
    private HttpServer server;

    @BeforeEach
    void receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestMethod().equals("POST")) {
                bodies.add(new String(body, StandardCharsets.UTF_8));
                authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            }
            int code = status.get();
            byte[] answer =
                    code / 100 == 2 ? new byte[0] : ("boom " + "x".repeat(400)).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(code, answer.length == 0 ? -1 : answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Override
    protected EmitterFactory factory() {
        return new HttpEmitterFactory();
    }

    @Override
    protected Map<String, List<String>> liveOptions() {
        return Map.of(
                "endpoint", List.of("127.0.0.1:" + server.getAddress().getPort() + "/hook"),
                "header", List.of("Authorization=Bearer s3cret"));
    }

    @Override
    protected Map<String, List<String>> unreachableOptions() {
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return Map.of("endpoint", List.of("http://127.0.0.1:" + closed.getLocalPort() + "/hook"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected List<String> received() {
        return List.copyOf(bodies);
    }

    @Override
    protected boolean matches(String text, io.eventdbx.emitter.api.Envelope envelope) {
        return text.equals(envelope.json());
    }

    @Test
    void headersAreSentAndANon2xxIsARetryWithTheBodysStart() {
        status.set(500);
        try (var emitter = factory().create("h", liveOptions())) {
            Delivery d = emitter.deliver(List.of(envelope(1, "p-1"), envelope(2, "p-2")));
            assertEquals(Delivery.Outcome.RETRY, d.outcome());
            assertEquals(0, d.delivered());
            assertTrue(d.reason().startsWith("HTTP 500: boom x"), d.reason());
            assertEquals("HTTP 500: ".length() + 256, d.reason().length(), "the body is cut at 256 characters");
        }
        assertEquals(List.of("Bearer s3cret"), authorizations, "one attempt, with the header");
    }

    @Test
    void badEndpointsAndHeadersAreRefused() {
        assertThrows(
                IllegalArgumentException.class, () -> factory().create("h", Map.of("endpoint", List.of("ftp://x/"))));
        assertThrows(IllegalArgumentException.class, () -> factory()
                .create("h", Map.of("endpoint", List.of("x:1"), "header", List.of("NoEquals"))));
        assertThrows(IllegalArgumentException.class, () -> factory()
                .create("h", Map.of("endpoint", List.of("x:1"), "header", List.of("Host=evil"))));
        assertEquals(
                "https://example.com:8443/in",
                HttpEmitterFactory.endpoint("example.com:8443/in", true).toString());
    }
}
