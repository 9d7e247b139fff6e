package io.eventdbx.http.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.osgi.service.component.annotations.Component;

/**
 * The whiteboard's default servlet ({@code /}): it answers only when no API servlet is registered, while an API
 * bundle is stopped or being updated, with a JSON {@code 503} and {@code Retry-After}, so that a client retries
 * instead of taking a {@code 404} as final.
 */
@Component(
        service = Servlet.class,
        property = {
            "osgi.http.whiteboard.servlet.pattern=/",
            "osgi.http.whiteboard.servlet.name=eventdbx-unavailable",
            "osgi.http.whiteboard.servlet.asyncSupported=true"
        })
public final class Unavailable extends HttpServlet {

    private static final long serialVersionUID = 1L;

    static final byte[] BODY = ("{\"code\":\"UNAVAILABLE\",\"message\":\"the API is not running (starting, stopping or"
                    + " being updated); retry the request\"}")
            .getBytes(StandardCharsets.UTF_8);

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(503);
        response.setHeader("Retry-After", "1");
        response.setContentType("application/json;charset=utf-8");
        response.setContentLength(BODY.length);
        if (!"HEAD".equals(request.getMethod())) {
            response.getOutputStream().write(BODY);
        }
    }
}
