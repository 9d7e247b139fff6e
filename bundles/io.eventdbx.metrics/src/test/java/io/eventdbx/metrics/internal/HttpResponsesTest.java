package io.eventdbx.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
        return request(null);
    }

    /** A POST; with {@code async}, one whose answer comes later, through that context. */
    private static HttpServletRequest request(AsyncContext async) {
        return (HttpServletRequest) Proxy.newProxyInstance(
                HttpResponsesTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getMethod" -> "POST";
                    case "isAsyncStarted" -> async != null;
                    case "getAsyncContext" -> async;
                    default -> null;
                });
    }

    @Test
    void anAsynchronousAnswerIsCountedWithTheStatusItEndsWith() throws Exception {
        StoreMetrics metrics = new StoreMetrics(Map.of("data_dir", dataDir.toString()));
        HttpResponses filter = new HttpResponses(metrics);
        Recorded recorded = new Recorded();
        List<AsyncListener> listeners = new ArrayList<>();
        AsyncContext async = (AsyncContext) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {AsyncContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("addListener")) {
                        listeners.add((AsyncListener) args[0]);
                    }
                    return null;
                });

        filter.doFilter(request(async), recorded.response(), (req, res) -> {});
        String before = new String(metrics.scrape(), StandardCharsets.UTF_8);
        assertFalse(before.contains("status=\"201\""), "counted before the answer was complete: " + before);

        recorded.status = 201; // the answer, written later from another thread
        assertEquals(1, listeners.size());
        listeners.get(0).onComplete(new AsyncEvent(async));
        String after = new String(metrics.scrape(), StandardCharsets.UTF_8);
        assertTrue(after.contains("eventdbx_http_responses_total{method=\"POST\",status=\"201\"} 1.0"), after);
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
