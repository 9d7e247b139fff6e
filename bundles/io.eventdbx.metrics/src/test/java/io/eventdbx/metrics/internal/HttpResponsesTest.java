package io.eventdbx.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpResponsesTest {

    @TempDir
    Path dataDir;

    /** A response that records status, headers and body; enough of the interface for the filter. */
    static final class Recorded {
        int status = 200;
        boolean committed;
        final Map<String, String> headers = new HashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        HttpServletResponse response() {
            ServletOutputStream out = new ServletOutputStream() {
                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {}

                @Override
                public void write(int b) {
                    body.write(b);
                }
            };
            return (HttpServletResponse) Proxy.newProxyInstance(
                    getClass().getClassLoader(), new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "setStatus" -> status = (Integer) args[0];
                            case "getStatus" -> {
                                return status;
                            }
                            case "setHeader" -> headers.put((String) args[0], (String) args[1]);
                            case "setContentType" -> headers.put("Content-Type", (String) args[0]);
                            case "isCommitted" -> {
                                return committed;
                            }
                            case "getOutputStream" -> {
                                return out;
                            }
                            case "reset", "setContentLength" -> {
                                // nothing recorded
                            }
                            default -> throw new UnsupportedOperationException(method.getName());
                        }
                        return null;
                    });
        }
    }

    private static HttpServletRequest post() {
        return (HttpServletRequest) Proxy.newProxyInstance(
                HttpResponsesTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class},
                (proxy, method, args) -> method.getName().equals("getMethod") ? "POST" : null);
    }

    @Test
    void aServletUnregisteredMidRequestIsAClean503AndCounted() throws Exception {
        StoreMetrics metrics = new StoreMetrics(Map.of("data_dir", dataDir.toString()));
        HttpResponses filter = new HttpResponses(metrics);
        Recorded recorded = new Recorded();

        filter.doFilter(post(), recorded.response(), (req, res) -> {
            throw new ServletException(HttpResponses.UNREGISTERED);
        });

        assertEquals(503, recorded.status);
        assertEquals("1", recorded.headers.get("Retry-After"));
        assertEquals("application/json", recorded.headers.get("Content-Type"));
        assertTrue(recorded.body.toString(StandardCharsets.UTF_8).contains("\"code\":\"UNAVAILABLE\""));
        String text = new String(metrics.scrape(), StandardCharsets.UTF_8);
        assertTrue(text.contains("eventdbx_http_responses_total{method=\"POST\",status=\"503\"} 1.0"), text);
    }

    @Test
    void otherFailuresAndCommittedResponsesAreNotHidden() {
        StoreMetrics metrics = new StoreMetrics(Map.of("data_dir", dataDir.toString()));
        HttpResponses filter = new HttpResponses(metrics);
        ServletException other = new ServletException("something else");
        assertSame(
                other,
                assertThrows(
                        ServletException.class,
                        () -> filter.doFilter(post(), new Recorded().response(), (req, res) -> {
                            throw other;
                        })));
        Recorded committed = new Recorded();
        committed.committed = true;
        assertThrows(
                ServletException.class,
                () -> filter.doFilter(post(), committed.response(), (req, res) -> {
                    throw new ServletException(HttpResponses.UNREGISTERED);
                }));
        assertEquals(200, committed.status, "a committed response is left as it is");
    }
}
