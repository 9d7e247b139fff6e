package io.eventdbx.metrics.internal;

import io.eventdbx.access.api.EventAccess;
import io.eventdbx.access.api.Refusal;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code GET /metrics}: the Prometheus text format, for any valid bearer token (Prometheus sends one with
 * {@code authorization.credentials}). Counts and latencies only: no aggregate ids, payloads or tokens.
 */
@Component(
        service = Servlet.class,
        property = {
            "osgi.http.whiteboard.servlet.pattern=/metrics",
            "osgi.http.whiteboard.servlet.name=eventdbx-metrics"
        })
public final class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final transient StoreMetrics metrics;
    private final transient EventAccess door;

    /**
     * Creates the servlet.
     *
     * @param metrics the meters
     * @param door checks the bearer token
     */
    @Activate
    public MetricsServlet(@Reference StoreMetrics metrics, @Reference EventAccess door) {
        this.metrics = metrics;
        this.door = door;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!request.getMethod().equals("GET")) {
            response.setHeader("Allow", "GET");
            error(response, 405, "METHOD_NOT_ALLOWED", request.getMethod() + " is not allowed on /metrics; use GET");
            return;
        }
        try {
            door.authenticateBearer(request.getHeader("Authorization"));
        } catch (Refusal e) {
            if (e.code() == Refusal.Code.UNAUTHENTICATED) {
                response.setHeader("WWW-Authenticate", "Bearer");
                error(response, 401, e.code().name(), e.getMessage());
            } else {
                response.setHeader("Retry-After", "1"); // tokens cannot be checked now (UNAVAILABLE)
                error(response, 503, e.code().name(), e.getMessage());
            }
            return;
        }
        byte[] body = metrics.scrape();
        response.setStatus(200);
        response.setContentType(CONTENT_TYPE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static void error(HttpServletResponse response, int status, String code, String message)
            throws IOException {
        byte[] body = ("{\"code\":\"" + code + "\",\"message\":\"" + escape(message) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
