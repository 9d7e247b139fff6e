package io.eventdbx.http.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's error pages as the API's error shape, {@code {"code", "message"}} in JSON: for what the container answers
 * itself (an ambiguous or too long URI, headers too large, an unsupported HTTP version, no servlet for a path), where
 * Jetty would write HTML.
 */
final class JsonErrors extends ErrorHandler {

    private static final Map<Integer, String> CODES = Map.ofEntries(
            Map.entry(400, "INVALID_ARGUMENT"),
            Map.entry(401, "UNAUTHENTICATED"),
            Map.entry(403, "FORBIDDEN"),
            Map.entry(404, "NOT_FOUND"),
            Map.entry(405, "METHOD_NOT_ALLOWED"),
            Map.entry(408, "REQUEST_TIMEOUT"),
            Map.entry(411, "LENGTH_REQUIRED"),
            Map.entry(413, "PAYLOAD_TOO_LARGE"),
            Map.entry(414, "URI_TOO_LONG"),
            Map.entry(415, "UNSUPPORTED_MEDIA_TYPE"),
            Map.entry(417, "EXPECTATION_FAILED"),
            Map.entry(431, "HEADERS_TOO_LARGE"),
            Map.entry(500, "INTERNAL"),
            Map.entry(501, "NOT_IMPLEMENTED"),
            Map.entry(503, "UNAVAILABLE"),
            Map.entry(505, "HTTP_VERSION_NOT_SUPPORTED"));

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        String message = request.getAttribute(ERROR_MESSAGE) instanceof String text ? text : null;
        if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException http) {
            status = http.getCode();
            response.setStatus(status);
            if (message == null) {
                message = http.getReason();
            }
        }
        if (status < 400) {
            status = 500;
            response.setStatus(status);
        }
        if (HttpStatus.hasNoBody(status) || HttpMethod.HEAD.is(request.getMethod())) {
            callback.succeeded();
            return true;
        }
        byte[] body = body(status, message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /** The JSON body of an error status, with the container's reason as the message (or the status's name). */
    static byte[] body(int status, String message) {
        String code = CODES.getOrDefault(status, status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT");
        String reason = message == null || message.isBlank() ? HttpStatus.getMessage(status) : message;
        return ("{\"code\":\"" + code + "\",\"message\":" + quote(reason + " (HTTP " + status + ")") + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON string: the text's quotes, backslashes and control characters escaped, at most 200 characters. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length() && i < 200; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
