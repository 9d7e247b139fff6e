package io.eventdbx.rest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventdbx.api.AggregateState;
import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventStore;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.api.Page;
import io.eventdbx.token.api.Actions;
import io.eventdbx.token.api.Principal;
import io.eventdbx.token.api.TokenException;
import io.eventdbx.token.api.TokenService;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API on the HTTP whiteboard. Every endpoint but {@code GET /health} needs {@code Authorization: Bearer
 * <token>} and checks the token's action and resource; errors are {@code {"code", "message"}} with a status
 * that says what went wrong, never a stack trace.
 */
@Component(
        service = Servlet.class,
        configurationPid = "io.eventdbx.runtime",
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = {"osgi.http.whiteboard.servlet.pattern=/*", "osgi.http.whiteboard.servlet.name=eventdbx-rest"})
public final class RestServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RestServlet.class);
    /** Largest request body: the payload limit plus room for the envelope. */
    static final int MAX_BODY = 1 << 20;

    private static final Set<String> EVENT_FIELDS =
            Set.of("aggregate_type", "aggregate_id", "event_type", "payload", "note", "expected_version", "event_id");

    private final transient EventStore store;
    private final transient TokenService tokens;
    private final transient ObjectMapper json = new ObjectMapper();
    private final transient Wire wire = new Wire(json);
    private final int listPageSize;
    private final int pageLimit;

    /** A refusal with its HTTP status and code. */
    static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        ApiError(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    /**
     * Creates the servlet.
     *
     * @param store the event store
     * @param tokens checks bearer tokens and write limits
     * @param config the runtime configuration ({@code list_page_size}, {@code page_limit})
     */
    @Activate
    public RestServlet(@Reference EventStore store, @Reference TokenService tokens, Map<String, Object> config) {
        this.store = store;
        this.tokens = tokens;
        this.listPageSize = config.get("list_page_size") instanceof Number n ? n.intValue() : 10;
        this.pageLimit = config.get("page_limit") instanceof Number n ? n.intValue() : 1000;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI();
        String method = request.getMethod();
        try {
            if (path.equals("/health") && method.equals("GET")) {
                send(response, 200, json.createObjectNode().put("status", "ok"));
                return;
            }
            Principal caller = authenticate(request);
            Object result = route(method, path, request, caller);
            send(response, method.equals("POST") ? 201 : 200, result);
        } catch (ApiError e) {
            send(response, e.status, wire.error(e.code, e.getMessage()));
        } catch (TokenException e) {
            int status =
                    switch (e.reason()) {
                        case UNAUTHENTICATED -> 401;
                        case FORBIDDEN -> 403;
                        case INVALID -> 400;
                    };
            if (status == 401) {
                response.setHeader("WWW-Authenticate", "Bearer");
            }
            send(response, status, wire.error(e.reason().name(), e.getMessage()));
        } catch (EventStoreException e) {
            send(response, status(e), wire.error(code(e), e.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", method, path, e);
            send(response, 500, wire.error("INTERNAL", "the request failed unexpectedly; see the server log"));
        }
    }

    private Principal authenticate(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new TokenException(
                    TokenException.Reason.UNAUTHENTICATED,
                    "unauthenticated: send the token as 'Authorization: Bearer <token>'");
        }
        return tokens.authenticate(header.substring(7).strip());
    }

    private Object route(String method, String path, HttpServletRequest request, Principal caller) throws IOException {
        List<String> parts = segments(path);
        if (parts.size() < 2 || !parts.get(0).equals("v1")) {
            throw new ApiError(404, "NOT_FOUND", "no endpoint " + method + " " + path);
        }
        if (parts.get(1).equals("events") && parts.size() == 2) {
            requireMethod(method, "POST", path);
            return append(request, caller);
        }
        if (!parts.get(1).equals("aggregates")) {
            throw new ApiError(404, "NOT_FOUND", "no endpoint " + method + " " + path);
        }
        requireMethod(method, "GET", path);
        if (parts.size() == 2) {
            return list(request, caller);
        }
        if (parts.size() < 4 || parts.size() > 5) {
            throw new ApiError(404, "NOT_FOUND", "no endpoint " + method + " " + path);
        }
        String type = parts.get(2);
        String id = parts.get(3);
        require(caller, Actions.AGGREGATE_READ, type, id);
        if (parts.size() == 4) {
            Long version = longParam(request, "version", null, 1);
            AggregateState state = version == null
                    ? store.get(type, id)
                            .orElseThrow(() ->
                                    new ApiError(404, "NOT_FOUND", "aggregate " + type + "/" + id + " does not exist"))
                    : store.getAt(type, id, version);
            return wire.state(state);
        }
        switch (parts.get(4)) {
            case "events" -> {
                long skip = longParam(request, "skip", 0L, 0);
                int take = take(request);
                List<EventRecord> events = store.events(type, id, skip, take);
                if (events.isEmpty() && store.get(type, id).isEmpty()) {
                    throw new ApiError(404, "NOT_FOUND", "aggregate " + type + "/" + id + " does not exist");
                }
                ArrayNode out = json.createArrayNode();
                events.forEach(e -> out.add(wire.event(e)));
                return out;
            }
            case "verify" -> {
                return wire.verify(store.verify(type, id));
            }
            default -> throw new ApiError(404, "NOT_FOUND", "no endpoint " + method + " " + path);
        }
    }

    private Object list(HttpServletRequest request, Principal caller) {
        caller.requireAny(Actions.AGGREGATE_READ);
        long skip = longParam(request, "skip", 0L, 0);
        String cursor = request.getParameter("cursor");
        Page<AggregateState> page = store.list(cursor, skip, take(request));
        ObjectNode out = json.createObjectNode();
        ArrayNode items = out.putArray("items");
        page.items().stream()
                .filter(s ->
                        caller.allows(Actions.AGGREGATE_READ, Actions.aggregate(s.aggregateType(), s.aggregateId())))
                .forEach(s -> items.add(wire.state(s)));
        out.put("next_cursor", page.nextCursor());
        return out;
    }

    private Object append(HttpServletRequest request, Principal caller) throws IOException {
        String contentType = request.getContentType();
        if (contentType == null
                || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "send the event as Content-Type: application/json");
        }
        JsonNode body = body(request);
        if (!body.isObject()) {
            throw new ApiError(400, "INVALID_ARGUMENT", "the body must be a JSON object");
        }
        body.fieldNames().forEachRemaining(name -> {
            if (!EVENT_FIELDS.contains(name)) {
                throw new ApiError(400, "INVALID_ARGUMENT", "unknown field '" + name + "'; known: " + EVENT_FIELDS);
            }
        });
        String type = text(body, "aggregate_type", true);
        String id = text(body, "aggregate_id", true);
        String eventType = text(body, "event_type", true);
        JsonNode payload = body.get("payload");
        if (payload == null || !payload.isObject()) {
            throw new ApiError(400, "INVALID_ARGUMENT", "payload must be a JSON object");
        }
        String eventId = text(body, "event_id", false);
        String idempotencyKey = request.getHeader("Idempotency-Key");
        if (eventId == null) {
            eventId = idempotencyKey;
        }
        Long expected = null;
        if (body.hasNonNull("expected_version")) {
            if (!body.get("expected_version").canConvertToExactIntegral()) {
                throw new ApiError(400, "INVALID_ARGUMENT", "expected_version must be a whole number");
            }
            expected = body.get("expected_version").asLong();
        } else if (request.getHeader("If-Match") != null) {
            try {
                expected = Long.valueOf(
                        request.getHeader("If-Match").replace("\"", "").strip());
            } catch (NumberFormatException e) {
                throw new ApiError(400, "INVALID_ARGUMENT", "If-Match must be the expected version number");
            }
        }
        require(caller, Actions.AGGREGATE_APPEND, type, id);
        AppendRequest append = new AppendRequest(
                type,
                id,
                eventType,
                json.writeValueAsString(payload),
                text(body, "note", false),
                expected,
                eventId,
                new IssuedBy(caller.group(), caller.user()));
        tokens.consumeWrites(caller, 1);
        try {
            return wire.event(store.append(append));
        } catch (RuntimeException e) {
            tokens.refundWrites(caller, 1);
            throw e;
        }
    }

    private JsonNode body(HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > MAX_BODY) {
            throw new ApiError(413, "PAYLOAD_TOO_LARGE", "the body is larger than " + MAX_BODY + " bytes");
        }
        byte[] bytes;
        try (InputStream in = request.getInputStream()) {
            bytes = in.readNBytes(MAX_BODY + 1);
        }
        if (bytes.length > MAX_BODY) {
            throw new ApiError(413, "PAYLOAD_TOO_LARGE", "the body is larger than " + MAX_BODY + " bytes");
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw new ApiError(400, "INVALID_ARGUMENT", "the body is not valid UTF-8");
        }
        try {
            JsonNode node = json.readTree(bytes);
            if (node == null) {
                throw new ApiError(400, "INVALID_ARGUMENT", "the body is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "INVALID_ARGUMENT", "the body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw new ApiError(400, "INVALID_ARGUMENT", field + " is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw new ApiError(400, "INVALID_ARGUMENT", field + " must be a string");
        }
        return node.asText();
    }

    private static void require(Principal caller, String action, String type, String id) {
        caller.require(action, Actions.aggregate(type, id));
    }

    private static void requireMethod(String method, String expected, String path) {
        if (!method.equals(expected)) {
            throw new ApiError(405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + path + "; use " + expected);
        }
    }

    private int take(HttpServletRequest request) {
        long take = longParam(request, "take", (long) listPageSize, 1);
        return (int) Math.min(take, pageLimit);
    }

    private static Long longParam(HttpServletRequest request, String name, Long fallback, long min) {
        String value = request.getParameter(name);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.strip());
            if (parsed < min) {
                throw new ApiError(400, "INVALID_ARGUMENT", name + " must be " + min + " or more");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ApiError(400, "INVALID_ARGUMENT", name + " must be a whole number, got '" + value + "'");
        }
    }

    /** Path segments, percent-decoded; never empty ones. */
    private static List<String> segments(String path) {
        List<String> out = new java.util.ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                out.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static int status(EventStoreException e) {
        return switch (e.code()) {
            case INVALID_ARGUMENT -> e.getMessage().startsWith("schema violation")
                    ? 422
                    : e.getMessage().contains("is larger than") ? 413 : 400;
            case NOT_FOUND -> 404;
            case CONFLICT, NOT_EMPTY -> 409;
            case ARCHIVED -> 403;
            case INTEGRITY -> 500;
            case UNAVAILABLE -> 503;
        };
    }

    private static String code(EventStoreException e) {
        return e.code() == EventStoreException.Code.INVALID_ARGUMENT
                        && e.getMessage().startsWith("schema violation")
                ? "SCHEMA_VIOLATION"
                : e.code().name();
    }

    private void send(HttpServletResponse response, int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        byte[] bytes = json.writeValueAsBytes(body);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
