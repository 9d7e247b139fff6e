package io.eventdbx.graphql.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.language.OperationDefinition;
import io.eventdbx.access.api.EventAccess;
import io.eventdbx.access.api.Refusal;
import io.eventdbx.token.api.Principal;
import io.eventdbx.views.StrictJson;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GraphQL API on the HTTP listener: {@code POST /graphql} and {@code GET /graphql?query=…} execute (GraphQL over
 * HTTP; a mutation only by POST), a POST with {@code Accept: text/event-stream} streams (GraphQL over Server-Sent
 * Events, distinct connections mode: subscriptions), and {@code GET /graphql/playground} serves GraphiQL from the
 * bundle. Every operation needs the same bearer token as REST and goes through the access service; the playground's
 * static files are the only open paths.
 */
@Component(
        service = Servlet.class,
        configurationPid = "io.eventdbx.graphql",
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = {
            "osgi.http.whiteboard.servlet.pattern=/graphql",
            "osgi.http.whiteboard.servlet.pattern=/graphql/*",
            "osgi.http.whiteboard.servlet.name=" + GraphqlServlet.SERVLET_NAME,
            "osgi.http.whiteboard.servlet.asyncSupported=true"
        })
public final class GraphqlServlet extends HttpServlet {

    /** The whiteboard name the API listener waits for before it opens (see io.eventdbx.http's ApiListener). */
    static final String SERVLET_NAME = "eventdbx-graphql";

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(GraphqlServlet.class);
    private static final String GRAPHQL_RESPONSE = "application/graphql-response+json";
    /** The playground's files: nothing else under /graphql/playground/ is served. */
    private static final Map<String, String> PLAYGROUND = Map.of(
            "index.html", "text/html;charset=utf-8",
            "graphiql.min.js", "text/javascript",
            "graphiql.min.css", "text/css",
            "react.production.min.js", "text/javascript",
            "react-dom.production.min.js", "text/javascript",
            "LICENSE.graphiql", "text/plain;charset=utf-8",
            "LICENSE.react", "text/plain;charset=utf-8",
            "LICENSE.react-dom", "text/plain;charset=utf-8");

    private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>> MAP =
            new com.fasterxml.jackson.core.type.TypeReference<>() {};
    private static final Set<String> BODY_FIELDS = Set.of("query", "variables", "operationName", "extensions");
    /** How long an answer may take before the request ends (a stream has no such limit). */
    private static final long ANSWER_TIMEOUT_MILLIS = 120_000;

    private final transient EventAccess door;
    private final transient ObjectMapper json = StrictJson.mapper();
    private final transient Engine engine;
    private final int maxRequestBytes;
    // Keeps idle event streams alive (and finds the ones whose client left); its one thread ends on deactivate.
    private final transient ScheduledThreadPoolExecutor heartbeats;
    private final transient Set<EventStream> streams = ConcurrentHashMap.newKeySet();

    /**
     * Builds the schema and the engine.
     *
     * @param door every operation, for a caller
     * @param config the settings {@code graphql.max_depth}, {@code graphql.max_cost}, {@code graphql.max_aliases},
     *     {@code graphql.max_request_bytes} and {@code list_page_size}
     */
    @Activate
    public GraphqlServlet(@Reference EventAccess door, Map<String, Object> config) {
        this.door = door;
        this.maxRequestBytes = setting(config, "graphql.max_request_bytes", 1 << 20);
        Limits limits = new Limits(
                setting(config, "graphql.max_depth", 12),
                setting(config, "graphql.max_cost", 50_000),
                setting(config, "graphql.max_aliases", 30),
                setting(config, "list_page_size", 10));
        this.engine = new Engine(door, json, limits);
        this.heartbeats = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "dbx-graphql-heartbeats");
            thread.setDaemon(true);
            return thread;
        });
        heartbeats.setRemoveOnCancelPolicy(true);
    }

    /** Ends the open streams (clients reconnect) and the heartbeat thread. */
    @Deactivate
    void deactivate() {
        streams.forEach(EventStream::close);
        heartbeats.shutdownNow();
    }

    private static int setting(Map<String, Object> config, String key, int fallback) {
        Object value = config.get(key);
        if (value instanceof Number n) {
            return n.intValue();
        }
        return value == null ? fallback : Integer.parseInt(value.toString());
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        try {
            if (path.equals("/playground") || path.startsWith("/playground/")) {
                playground(request, response, path);
                return;
            }
            if (!path.isEmpty() && !path.equals("/")) {
                throw new HttpError(404, "NOT_FOUND", "there is nothing at /graphql" + path + ": POST /graphql");
            }
            String method = request.getMethod();
            if (method.equals("GET") && request.getQueryString() == null && accepts(request, "text/html")) {
                response.sendRedirect(request.getContextPath() + "/graphql/playground/"); // a browser: the playground
                return;
            }
            if (!method.equals("GET") && !method.equals("POST")) {
                response.setHeader("Allow", "GET, POST");
                throw new HttpError(
                        405, "METHOD_NOT_ALLOWED", method + " is not supported: use POST (or GET for queries)");
            }
            Principal caller = door.authenticateBearer(request.getHeader("Authorization"));
            GraphqlRequest parsed = method.equals("GET") ? fromQueryString(request) : fromBody(request);
            if (method.equals("POST") && accepts(request, "text/event-stream")) {
                stream(request, response, caller, parsed);
            } else {
                execute(request, response, caller, parsed, method.equals("GET"));
            }
        } catch (Refusal refusal) {
            int status =
                    switch (refusal.code()) {
                        case UNAUTHENTICATED -> 401;
                        case UNAVAILABLE -> 503;
                        case FORBIDDEN, WRITE_LIMIT_REACHED -> 403;
                        default -> 400;
                    };
            if (status == 401) {
                response.setHeader("WWW-Authenticate", "Bearer");
            }
            sendErrors(response, status, List.of(error(refusal.getMessage(), Errors.extensions(refusal))));
        } catch (HttpError error) {
            if (error.status == 413 || error.status == 415) {
                // the body is left unread: the connection cannot carry another request (a client must not reuse it)
                response.setHeader("Connection", "close");
            }
            sendErrors(response, error.status, List.of(error(error.getMessage(), Map.of("code", error.code))));
        }
    }

    /** The request's operation, variables and name. */
    private record GraphqlRequest(String query, Map<String, Object> variables, String operationName) {}

    private GraphqlRequest fromBody(HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > maxRequestBytes) {
            throw tooLarge();
        }
        if (!StrictJson.isJson(request.getContentType())) {
            throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "send the request as Content-Type: application/json");
        }
        byte[] body = request.getInputStream().readNBytes(maxRequestBytes + 1);
        if (body.length > maxRequestBytes) {
            throw tooLarge();
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new HttpError(400, "INVALID_ARGUMENT", "the body is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new HttpError(400, "INVALID_ARGUMENT", "the body must be a JSON object with a query");
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!BODY_FIELDS.contains(name)) {
                throw new HttpError(
                        400,
                        "INVALID_ARGUMENT",
                        "unknown member '" + name + "': expected query, variables, operationName");
            }
        });
        return request(text(node, "query"), node.get("variables"), text(node, "operationName"));
    }

    private GraphqlRequest fromQueryString(HttpServletRequest request) {
        String queryString = request.getQueryString();
        if (queryString.length() > maxRequestBytes) {
            throw tooLarge();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : queryString.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                params.putIfAbsent(
                        key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, "INVALID_ARGUMENT", "the query string has a malformed percent-encoding");
            }
        }
        JsonNode variables = null;
        if (params.get("variables") != null && !params.get("variables").isEmpty()) {
            try {
                variables = json.readTree(params.get("variables"));
            } catch (JsonProcessingException e) {
                throw new HttpError(400, "INVALID_ARGUMENT", "variables is not JSON: " + e.getOriginalMessage());
            }
        }
        String query = params.get("query");
        if (query == null) {
            throw new HttpError(400, "INVALID_ARGUMENT", "the query parameter is missing");
        }
        return request(query, variables, params.get("operationName"));
    }

    private GraphqlRequest request(String query, JsonNode variables, String operationName) {
        if (query == null || query.isBlank()) {
            throw new HttpError(400, "INVALID_ARGUMENT", "query is missing: send {\"query\": \"{ … }\"}");
        }
        Map<String, Object> values = Map.of();
        if (variables != null && !variables.isNull()) {
            if (!variables.isObject()) {
                throw new HttpError(400, "INVALID_ARGUMENT", "variables must be a JSON object");
            }
            values = json.convertValue(variables, MAP);
        }
        return new GraphqlRequest(query, values, operationName);
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new HttpError(400, "INVALID_ARGUMENT", field + " must be a string");
        }
        return value.asText();
    }

    private HttpError tooLarge() {
        return new HttpError(413, "PAYLOAD_TOO_LARGE", "the request is larger than " + maxRequestBytes + " bytes");
    }

    private ExecutionInput input(Principal caller, GraphqlRequest parsed) {
        return engine.input(caller, parsed.query(), parsed.variables(), parsed.operationName());
    }

    /** Runs a query or mutation and answers with its result once it is there (a mutation once durable). */
    private void execute(
            HttpServletRequest request,
            HttpServletResponse response,
            Principal caller,
            GraphqlRequest parsed,
            boolean byGet)
            throws IOException {
        ExecutionInput input = input(caller, parsed);
        if (byGet) {
            OperationDefinition.Operation operation = Operations.of(parsed.query(), parsed.operationName());
            if (operation != null && operation != OperationDefinition.Operation.QUERY) {
                response.setHeader("Allow", "POST");
                throw new HttpError(
                        405,
                        "METHOD_NOT_ALLOWED",
                        "a " + operation.name().toLowerCase(java.util.Locale.ROOT)
                                + " needs POST: GET runs queries only");
            }
        }
        boolean graphqlResponse = prefersGraphqlResponse(request);
        CompletableFuture<ExecutionResult> result = engine.graphql().executeAsync(input);
        if (result.isDone()) {
            answer(response, result, graphqlResponse);
            return;
        }
        AsyncContext async = request.startAsync();
        async.setTimeout(ANSWER_TIMEOUT_MILLIS);
        Runnable answer = () -> {
            try {
                answer(response, result, graphqlResponse);
            } catch (IOException e) {
                // the client went away: nothing to answer
            } finally {
                async.complete();
            }
        };
        // Answered on a container thread, never on the store's commit thread that completes a mutation: a write to
        // a slow client may block, and the commit thread must never wait for a client.
        result.whenComplete((value, error) -> {
            try {
                async.start(answer);
            } catch (IllegalStateException e) {
                Thread late = new Thread(answer, "dbx-graphql-late-answer"); // the container is stopping: still answer
                late.setDaemon(true);
                late.start();
            }
        });
    }

    private void answer(
            HttpServletResponse response, CompletableFuture<ExecutionResult> result, boolean graphqlResponse)
            throws IOException {
        ExecutionResult executed;
        try {
            executed = result.join();
        } catch (RuntimeException e) {
            String id = java.util.UUID.randomUUID().toString();
            LOG.error("a GraphQL request failed (error id {})", id, e);
            sendErrors(
                    response,
                    500,
                    List.of(error(
                            "the server failed to answer (error id " + id + ")",
                            Map.of("code", Errors.INTERNAL, "error_id", id))));
            return;
        }
        if (executed.getData() instanceof Publisher) {
            throw new HttpError(
                    400, "INVALID_ARGUMENT", "a subscription streams: send it with Accept: text/event-stream");
        }
        int status =
                graphqlResponse && !executed.isDataPresent() && Errors.requestErrors(executed.getErrors()) ? 400 : 200;
        send(response, status, graphqlResponse ? GRAPHQL_RESPONSE : "application/json", Errors.response(executed));
    }

    /** A subscription (or any operation) over Server-Sent Events: {@code next} per result, then {@code complete}. */
    private void stream(
            HttpServletRequest request, HttpServletResponse response, Principal caller, GraphqlRequest parsed)
            throws IOException {
        ExecutionResult executed = engine.graphql().execute(input(caller, parsed));
        response.setStatus(200);
        response.setContentType("text/event-stream;charset=utf-8");
        response.setHeader("Cache-Control", "no-cache");
        if (!(executed.getData() instanceof Publisher<?> publisher)) {
            // not a subscription, or one that did not start (validation, refusal): its one result, then the end
            EventStream.writeOnce(response, json, Errors.response(executed));
            return;
        }
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        EventStream stream = new EventStream(async, response, json, Errors::response, streams::remove);
        streams.add(stream);
        stream.keepAlive(heartbeats);
        @SuppressWarnings("unchecked")
        Publisher<ExecutionResult> results = (Publisher<ExecutionResult>) publisher;
        results.subscribe(stream);
    }

    private void playground(HttpServletRequest request, HttpServletResponse response, String path) throws IOException {
        if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            response.setHeader("Allow", "GET");
            throw new HttpError(405, "METHOD_NOT_ALLOWED", "the playground is read with GET");
        }
        if (path.equals("/playground")) {
            response.sendRedirect(request.getContextPath() + "/graphql/playground/");
            return;
        }
        String file = path.substring("/playground/".length());
        if (file.isEmpty()) {
            file = "index.html";
        }
        String type = PLAYGROUND.get(file);
        if (type == null) {
            throw new HttpError(404, "NOT_FOUND", "the playground has no file " + file);
        }
        try (InputStream in = GraphqlServlet.class.getResourceAsStream("/surface/playground/" + file)) {
            if (in == null) {
                throw new HttpError(404, "NOT_FOUND", "the playground has no file " + file);
            }
            response.setContentType(type);
            response.setHeader("Cache-Control", "public, max-age=3600");
            response.setHeader("X-Content-Type-Options", "nosniff");
            if (!request.getMethod().equals("HEAD")) {
                in.transferTo(response.getOutputStream());
            }
        }
    }

    private static boolean accepts(HttpServletRequest request, String mediaType) {
        String accept = request.getHeader("Accept");
        return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains(mediaType);
    }

    /** GraphQL over HTTP: the newer media type when the client lists it before (or without) plain JSON. */
    private static boolean prefersGraphqlResponse(HttpServletRequest request) {
        String accept = request.getHeader("Accept");
        if (accept == null) {
            return false;
        }
        String lower = accept.toLowerCase(java.util.Locale.ROOT);
        int graphql = lower.indexOf(GRAPHQL_RESPONSE);
        int plain = lower.indexOf("application/json");
        return graphql >= 0 && (plain < 0 || graphql < plain);
    }

    private static Map<String, Object> error(String message, Map<String, Object> extensions) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("extensions", extensions);
        return error;
    }

    private void sendErrors(HttpServletResponse response, int status, List<Map<String, Object>> errors)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        send(response, status, "application/json", Map.of("errors", errors));
    }

    private void send(HttpServletResponse response, int status, String contentType, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        response.setStatus(status);
        response.setContentType(contentType + ";charset=utf-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** A request refused before any GraphQL ran, with its HTTP status. */
    static final class HttpError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        HttpError(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }
}
