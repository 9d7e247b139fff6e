package io.eventdbx.rest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventdbx.access.api.EventAccess;
import io.eventdbx.access.api.EventFilter;
import io.eventdbx.access.api.LogPage;
import io.eventdbx.access.api.Refusal;
import io.eventdbx.api.AggregateState;
import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.Page;
import io.eventdbx.api.Subscription;
import io.eventdbx.token.api.Principal;
import io.eventdbx.views.RecordViews;
import io.eventdbx.views.StrictJson;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API on the HTTP whiteboard: an adapter that parses a request, calls the {@link EventAccess} door (which
 * authenticates, authorizes, attributes, filters, pages and counts allowances) and renders the answer. Every endpoint
 * but the health ones needs {@code Authorization: Bearer <token>}; errors are {@code {"code", "message"}} with the
 * status of {@link #STATUS}, chosen by the refusal's code, never by its message, and never a stack trace.
 */
@Component(
        service = Servlet.class,
        configurationPid = "io.eventdbx.rest",
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = {
            "osgi.http.whiteboard.servlet.pattern=/*",
            "osgi.http.whiteboard.servlet.name=eventdbx-rest",
            "osgi.http.whiteboard.servlet.asyncSupported=true"
        })
public final class RestServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RestServlet.class);
    /** A request id a client may choose (X-Request-Id); anything else is replaced by a generated one. */
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /** An identifier in a path or query (the OpenAPI document's Identifier); see {@link #isIdentifier}. */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_.:@-]{1,128}");
    /** An If-Match header: the expected version, quoted or not. */
    private static final Pattern IF_MATCH = Pattern.compile("\"?([0-9]{1,18})\"?");

    private static final Set<String> COMMENT_FIELDS = Set.of("comment");
    /** Largest request body: the payload limit plus room for the envelope. */
    static final int MAX_BODY = 1 << 20;
    /** How much of an unread request body is read and dropped after answering (see Exchange.finish). */
    static final long MAX_DISCARD = 16L << 20;
    /** How long a client may take to send a body (or the rest of one that is dropped) before it is cut off. */
    static final long BODY_DEADLINE_MILLIS = 30_000;

    private static final Set<String> EVENT_FIELDS =
            Set.of("aggregate_type", "aggregate_id", "event_type", "payload", "note", "expected_version", "event_id");

    private final transient EventAccess door;
    private final transient ObjectMapper json = StrictJson.mapper();
    // Payloads and states are written as stored (canonical JSON), not parsed and written again.
    private final transient RecordViews views = new RecordViews(true);
    private final transient byte[] openApi;
    private final transient AccessLog accessLog;
    // Ends the exchanges whose bodies do not arrive in time; its one thread ends on deactivate.
    private final transient Deadlines deadlines;
    // Keeps idle event streams alive (and finds the ones whose client left); its one thread ends on deactivate.
    private final transient java.util.concurrent.ScheduledThreadPoolExecutor heartbeats;
    // The event streams open now, closed on deactivate.
    private final transient java.util.Set<Subscription> streams = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The HTTP status and wire code of each refusal: the one place REST decides them. */
    static final Map<Refusal.Code, Integer> STATUS = statuses();

    private static Map<Refusal.Code, Integer> statuses() {
        Map<Refusal.Code, Integer> status = new java.util.EnumMap<>(Refusal.Code.class);
        status.put(Refusal.Code.INVALID_ARGUMENT, 400);
        status.put(Refusal.Code.UNAUTHENTICATED, 401);
        status.put(Refusal.Code.FORBIDDEN, 403);
        status.put(Refusal.Code.WRITE_LIMIT_REACHED, 403);
        status.put(Refusal.Code.ARCHIVED, 403);
        status.put(Refusal.Code.NOT_FOUND, 404);
        status.put(Refusal.Code.CONFLICT, 409);
        status.put(Refusal.Code.NOT_EMPTY, 409);
        status.put(Refusal.Code.PAYLOAD_TOO_LARGE, 413);
        status.put(Refusal.Code.SCHEMA_VIOLATION, 422);
        status.put(Refusal.Code.INTEGRITY, 500);
        status.put(Refusal.Code.UNAVAILABLE, 503);
        return java.util.Collections.unmodifiableMap(status);
    }

    /** The error body's code of a refusal: its own name, but for a spent write allowance, {@code FORBIDDEN}. */
    static String wireCode(Refusal.Code code) {
        // REST clients have always read a used-up write limit as FORBIDDEN (403), with the reason in the message
        return code == Refusal.Code.WRITE_LIMIT_REACHED ? "FORBIDDEN" : code.name();
    }

    /** A refusal with its HTTP status and code. */
    static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;
        final String allow; // the method to use, for 405

        ApiError(int status, String code, String message) {
            this(status, code, message, null);
        }

        ApiError(int status, String code, String message, String allow) {
            super(message);
            this.status = status;
            this.code = code;
            this.allow = allow;
        }
    }

    /**
     * Creates the servlet.
     *
     * @param door every operation, for a caller
     * @param config the runtime configuration ({@code data_dir} for {@code logs/access.log})
     */
    @Activate
    public RestServlet(@Reference EventAccess door, Map<String, Object> config) {
        this.door = door;
        try (InputStream in = RestServlet.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("the bundle lacks its /openapi.json");
            }
            this.openApi = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bundle's /openapi.json", e);
        }
        this.deadlines = new Deadlines("dbx-rest-deadlines");
        this.heartbeats = new java.util.concurrent.ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "dbx-rest-heartbeats");
            thread.setDaemon(true);
            return thread;
        });
        heartbeats.setRemoveOnCancelPolicy(true);
        Object dataDir = config.get("data_dir");
        try {
            this.accessLog = new AccessLog(Path.of(dataDir == null ? "." : dataDir.toString(), "logs", "access.log"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the access log: " + e.getMessage(), e);
        }
    }

    /** Stops the deadlines and the access log's writer (its queued lines are written first). */
    @Deactivate
    void deactivate() {
        streams.forEach(Subscription::close); // each stream's end completes its request
        heartbeats.shutdownNow();
        deadlines.close();
        accessLog.close();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Exchange x = new Exchange(request, response, System.nanoTime(), requestId(request));
        response.setHeader("X-Request-Id", x.requestId);
        try {
            if (x.path.equals("/health") || x.path.startsWith("/health/")) {
                health(x);
                return;
            }
            // Who is asking, and whether the headers allow the request, before waiting for any body: a peer that
            // sends headers and then nothing must not hold anything but its connection.
            x.caller = door.authenticateBearer(request.getHeader("Authorization"));
            if (x.path.equals("/openapi.json")) {
                requireMethod(x.method, "GET", x.path);
                sendBytes(response, 200, openApi);
                x.finish();
                return;
            }
            if (!declaresBody(request)) {
                process(x, null);
                return;
            }
            if (request.getContentLengthLong() > MAX_BODY) {
                throw new ApiError(413, "PAYLOAD_TOO_LARGE", "the body is larger than " + MAX_BODY + " bytes");
            }
            if (x.method.equals("POST") && !StrictJson.isJson(request.getContentType())) {
                throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as Content-Type: application/json");
            }
            byte[] buffered = bufferedBody(request);
            if (buffered != null) {
                process(x, buffered); // the usual case: the body came with the headers
            } else {
                x.readBody(body -> process(x, body));
            }
        } catch (RuntimeException e) {
            sendError(response, e, x.requestId, x.method, x.path);
            x.finish();
        }
    }

    /** GET or HEAD {@code /health} (the process answers), {@code /health/live} (same), {@code /health/ready}. */
    private void health(Exchange x) throws IOException {
        if (!x.method.equals("GET") && !x.method.equals("HEAD")) {
            throw new ApiError(
                    405,
                    "METHOD_NOT_ALLOWED",
                    x.method + " is not allowed on " + printable(x.path) + "; use GET or HEAD",
                    "GET, HEAD");
        }
        Object answer;
        int status = 200;
        switch (x.path) {
            case "/health", "/health/live" -> answer = Map.of("status", "ok");
            case "/health/ready" -> {
                String problem = door.unavailableReason().orElse(null);
                answer = problem == null
                        ? Map.of("status", "ready")
                        : Map.of("status", "unavailable", "reason", problem);
                if (problem != null) {
                    status = 503;
                    x.response.setHeader("Retry-After", "1");
                }
            }
            default -> throw notFound(x.method, x.path);
        }
        byte[] bytes = json.writeValueAsBytes(answer);
        if (x.method.equals("HEAD")) {
            x.response.setStatus(status);
            x.response.setContentType("application/json;charset=utf-8");
            x.response.setContentLength(bytes.length);
        } else {
            sendBytes(x.response, status, bytes);
        }
        x.finish();
    }

    /** Routes a request whose body (null: none) is in hand, and answers it now or once its write is durable. */
    private void process(Exchange x, byte[] body) {
        try {
            if (x.method.equals("GET")
                    && wantsStream(x.request)
                    && segments(x.path).equals(List.of("v1", "events"))) {
                stream(x);
                return;
            }
            Object result = route(x.method, x.path, x.request, x.caller, body);
            if (result instanceof Deferred deferred) {
                if (!deferred.stage().isDone()) {
                    answerLater(x, deferred);
                    return;
                }
                result = deferred.resolve(); // already durable (a lone writer commits on its own thread)
            }
            send(x.response, status(x.method, x.path), result);
        } catch (RuntimeException e) {
            sendError(x.response, e, x.requestId, x.method, x.path);
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
        x.finish();
    }

    /** Whether the request says a body follows (a length above 0, or a transfer coding). */
    private static boolean declaresBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    /**
     * The body when all of it is already buffered (its declared length is available without waiting), read at once
     * on this thread; null when it must be waited for.
     */
    private static byte[] bufferedBody(HttpServletRequest request) throws IOException {
        long length = request.getContentLengthLong();
        if (length <= 0) {
            return null;
        }
        ServletInputStream in = request.getInputStream();
        if (in.available() < length) {
            return null;
        }
        byte[] bytes = new byte[(int) length];
        int read = in.readNBytes(bytes, 0, bytes.length);
        if (read == bytes.length) {
            // The end of a body of known length is there at once: reading it now marks the input finished, so the
            // answer needs no asynchronous cycle to drop an unread rest (which cost a thread hand-off per append).
            in.read();
            return bytes;
        }
        return java.util.Arrays.copyOf(bytes, read);
    }

    /**
     * One request on its way through the servlet: who asked, and how it ends. A request whose body is waited for,
     * or whose answer waits for a sync, is asynchronous: no container thread is parked while a client is slow to
     * send or the store is syncing.
     */
    private final class Exchange {
        final HttpServletRequest request;
        final HttpServletResponse response;
        final long started;
        final String requestId;
        final String method;
        final String path;
        Principal caller;
        private AsyncContext async;
        private boolean listening; // a ReadListener is set: the body is read (or dropped) asynchronously

        Exchange(HttpServletRequest request, HttpServletResponse response, long started, String requestId) {
            this.request = request;
            this.response = response;
            this.started = started;
            this.requestId = requestId;
            this.method = request.getMethod();
            this.path = request.getRequestURI();
        }

        AsyncContext async() {
            if (async == null) {
                async = request.startAsync(request, response);
                async.setTimeout(0); // this servlet ends every exchange itself (answers, deadlines)
            }
            return async;
        }

        /**
         * Reads the body without blocking a thread, then hands it on; a body that does not arrive within {@link
         * #BODY_DEADLINE_MILLIS} is answered 408, one larger than {@link #MAX_BODY} 413, a malformed one (chunked
         * coding) 400, each with the connection closed.
         */
        void readBody(java.util.function.Consumer<byte[]> then) throws IOException {
            async();
            listening = true;
            BodyReader.start(
                    request.getInputStream(),
                    MAX_BODY,
                    true,
                    deadlines,
                    BODY_DEADLINE_MILLIS,
                    new BodyReader.Outcome() {
                        @Override
                        public void read(byte[] body) {
                            then.accept(body);
                        }

                        @Override
                        public void tooLarge() {
                            refuseBody(413, "PAYLOAD_TOO_LARGE", "the body is larger than " + MAX_BODY + " bytes");
                        }

                        @Override
                        public void timedOut() {
                            refuseBody(
                                    408,
                                    "REQUEST_TIMEOUT",
                                    "the request body did not arrive within " + BODY_DEADLINE_MILLIS / 1000 + " s");
                        }

                        @Override
                        public void failed(Throwable failure) {
                            // one line, never the trace: a peer must not be able to fill the log
                            LOG.info(
                                    "request {}: {} {}: unreadable body: {}",
                                    requestId,
                                    method,
                                    printable(path),
                                    describe(failure));
                            refuseBody(
                                    400,
                                    "INVALID_ARGUMENT",
                                    "the request body is malformed (" + describe(failure) + ")");
                        }
                    });
        }

        /** Answers a body that could not be read, and closes the connection: what is left of it is not read. */
        private void refuseBody(int status, String code, String message) {
            try {
                if (!response.isCommitted()) {
                    response.setHeader("Connection", "close");
                    send(response, status, error(code, message));
                }
            } catch (IOException | RuntimeException e) {
                // the client went away: nothing to answer
            }
            end();
        }

        /**
         * Ends the exchange once its answer is written: drops what is left of an unread request body (up to {@link
         * #MAX_DISCARD}, without blocking a thread), so that the connection stays usable for the client's next
         * request, then logs the request.
         */
        void finish() {
            boolean unread;
            try {
                unread = !listening
                        && declaresBody(request)
                        && !request.getInputStream().isFinished();
            } catch (IOException | IllegalStateException e) {
                unread = false;
            }
            if (!unread) {
                end();
                return;
            }
            try {
                response.flushBuffer(); // the answer first: a client may wait for it before sending the rest
                async();
                listening = true;
                // beyond MAX_DISCARD, or the deadline, the container closes the connection with the rest unread
                BodyReader.start(
                        request.getInputStream(),
                        MAX_DISCARD,
                        false,
                        deadlines,
                        BODY_DEADLINE_MILLIS,
                        new BodyReader.Outcome() {
                            @Override
                            public void read(byte[] body) {
                                end();
                            }

                            @Override
                            public void tooLarge() {
                                end();
                            }

                            @Override
                            public void timedOut() {
                                end();
                            }

                            @Override
                            public void failed(Throwable failure) {
                                end();
                            }
                        });
            } catch (IOException | RuntimeException e) {
                end(); // the client went away, or the body cannot be read any more: the connection is closed
            }
        }

        /** Logs the request and completes it if it was asynchronous. */
        void end() {
            logAccess(started, requestId, method, path, response.getStatus(), caller);
            if (async != null) {
                try {
                    async.complete();
                } catch (IllegalStateException alreadyComplete) {
                    // completed by the container (the client went away)
                }
            }
        }
    }

    /** What a body failure was, for its 400: the container's words for a broken chunked coding. */
    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        if (message == null || message.isBlank()) {
            return failure.getClass().getSimpleName();
        }
        String first = message.lines().findFirst().orElse("").strip();
        return first.length() > 120 ? first.substring(0, 120) : first;
    }

    /**
     * An answer that is not ready yet: a write waiting for the sync that holds it. Finishing it (the answer's body
     * from the result, or the refusal to send) is not for the store's commit thread, which completes the stage.
     */
    private record Deferred(CompletableFuture<?> stage, BiFunction<Object, Throwable, Object> finish) {

        /** The answer's body; throws the refusal. Only once the stage is done. */
        Object resolve() {
            Object value = null;
            Throwable error = null;
            try {
                value = stage.join();
            } catch (CompletionException | CancellationException e) {
                error = e.getCause() != null ? e.getCause() : e;
            }
            return finish.apply(value, error);
        }
    }

    /**
     * Frees the request's thread while its write waits for the sync, and answers once it is durable. With a
     * blocked thread per pending write, 64 clients kept 64 threads parked and woke each of them separately: the
     * same load ran at about half the throughput (docs/benchmarks.md).
     */
    private void answerLater(Exchange x, Deferred deferred) {
        AsyncContext async = x.async();
        Runnable answer = () -> {
            try {
                send(x.response, status(x.method, x.path), deferred.resolve());
            } catch (RuntimeException e) {
                sendError(x.response, e, x.requestId, x.method, x.path);
            } catch (IOException e) {
                // the client went away: nothing to answer
            } finally {
                x.finish();
            }
        };
        // Answered on a container thread, not on the store's commit thread that completes the stage: a write to a
        // slow client may block, and the commit thread must never wait for a client.
        deferred.stage().whenComplete((value, error) -> {
            try {
                async.start(answer);
            } catch (RuntimeException e) {
                Thread late = new Thread(answer, "dbx-rest-late-answer"); // the container is stopping: still answer
                late.setDaemon(true);
                late.start();
            }
        });
    }

    private void logAccess(long started, String requestId, String method, String path, int status, Principal caller) {
        accessLog.log(new AccessLog.Entry(
                System.currentTimeMillis(),
                requestId,
                method,
                printable(path),
                status,
                (System.nanoTime() - started) / 1000,
                caller == null ? "-" : caller.group() + "/" + caller.user()));
    }

    /** Answers a refusal: its status and {@code {"code", "message"}}; never the stack trace. */
    private void sendError(
            HttpServletResponse response, RuntimeException failure, String requestId, String method, String path) {
        try {
            if (failure instanceof ApiError e) {
                if (e.allow != null) {
                    response.setHeader("Allow", e.allow);
                }
                send(response, e.status, error(e.code, e.getMessage()));
            } else if (failure instanceof Refusal refusal) {
                int status = STATUS.get(refusal.code());
                if (status == 401) {
                    response.setHeader("WWW-Authenticate", "Bearer");
                } else if (status == 503) {
                    response.setHeader("Retry-After", "1");
                }
                send(response, status, error(wireCode(refusal.code()), refusal.getMessage()));
            } else {
                LOG.error("request {}: {} {} failed", requestId, method, printable(path), failure);
                send(response, 500, error("INTERNAL", "the request failed unexpectedly; see the server log"));
            }
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    /** 201 for what a POST creates (events, snapshots); 200 otherwise. */
    private static int status(String method, String path) {
        return method.equals("POST") && (path.endsWith("/events") || path.endsWith("/snapshot")) ? 201 : 200;
    }

    private static String requestId(HttpServletRequest request) {
        String given = request.getHeader("X-Request-Id");
        if (given != null && REQUEST_ID.matcher(given).matches()) {
            return given;
        }
        return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    }

    /** A path as it may go into a log line: printable ASCII only, at most 256 characters. */
    private static String printable(String path) {
        StringBuilder out = new StringBuilder(Math.min(path.length(), 256));
        for (int i = 0; i < path.length() && i < 256; i++) {
            char c = path.charAt(i);
            out.append(c >= 0x21 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }

    private Object route(String method, String path, HttpServletRequest request, Principal caller, byte[] body) {
        List<String> parts = segments(path);
        if (parts.size() < 2 || !parts.get(0).equals("v1")) {
            throw notFound(method, path);
        }
        switch (parts.get(1)) {
            case "events" -> {
                if (parts.size() != 2) {
                    throw notFound(method, path);
                }
                if (method.equals("GET")) {
                    return feed(request, caller);
                }
                if (!method.equals("POST")) {
                    throw new ApiError(
                            405,
                            "METHOD_NOT_ALLOWED",
                            method + " is not allowed on " + printable(path) + "; use GET or POST",
                            "GET, POST");
                }
                return append(request, caller, body);
            }
            case "schemas" -> {
                requireMethod(method, "GET", path);
                return schema(parts, caller, method, path);
            }
            case "aggregates" -> {
                return aggregates(parts, method, path, request, caller, body);
            }
            default -> throw notFound(method, path);
        }
    }

    private Object aggregates(
            List<String> parts, String method, String path, HttpServletRequest request, Principal caller, byte[] body) {
        if (parts.size() == 2) {
            requireMethod(method, "GET", path);
            return list(request, caller);
        }
        if (parts.size() < 4 || parts.size() > 5) {
            throw notFound(method, path);
        }
        String type = parts.get(2);
        String id = parts.get(3);
        if (parts.size() == 4) {
            requireMethod(method, "GET", path);
            Long version = longParam(request, "version", null, 1);
            return views.state(version == null ? door.get(caller, type, id) : door.getAt(caller, type, id, version));
        }
        switch (parts.get(4)) {
            case "events" -> {
                requireMethod(method, "GET", path);
                long skip = longParam(request, "skip", 0L, 0);
                return door.events(caller, type, id, skip, take(request)).stream()
                        .map(views::event)
                        .toList();
            }
            case "verify" -> {
                requireMethod(method, "GET", path);
                return views.verify(door.verify(caller, type, id));
            }
            case "proof" -> {
                requireMethod(method, "GET", path);
                long version = requiredLong(request, "version", 1);
                Long treeSize = longParam(request, "tree_size", null, 1);
                return views.inclusion(door.proveInclusion(caller, type, id, version, treeSize));
            }
            case "consistency" -> {
                requireMethod(method, "GET", path);
                long from = requiredLong(request, "from", 1);
                long to = requiredLong(request, "to", 1);
                return views.consistency(door.proveConsistency(caller, type, id, from, to));
            }
            case "snapshot" -> {
                requireMethod(method, "POST", path);
                return views.snapshot(door.snapshot(caller, type, id, comment(body)));
            }
            case "archive", "restore" -> {
                requireMethod(method, "POST", path);
                return views.state(door.archive(caller, type, id, parts.get(4).equals("archive"), comment(body)));
            }
            default -> throw notFound(method, path);
        }
    }

    private Object schema(List<String> parts, Principal caller, String method, String path) {
        if (parts.size() > 3) {
            throw notFound(method, path);
        }
        if (parts.size() == 2) {
            return Map.of("items", door.schemas(caller));
        }
        String name = parts.get(2);
        if (!isIdentifier(name)) {
            throw new ApiError(
                    400,
                    "INVALID_ARGUMENT",
                    "a schema name is 1 to 128 of letters, digits and - _ . : @, got '" + printable(name) + "'");
        }
        return door.schema(caller, name);
    }

    private static ApiError notFound(String method, String path) {
        return new ApiError(404, "NOT_FOUND", "no endpoint " + method + " " + printable(path));
    }

    /** The optional {@code {"comment": "..."}} body of archive, restore and snapshot; no body means none. */
    private String comment(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        JsonNode body = parse(bytes);
        if (!body.isObject()) {
            throw new ApiError(400, "INVALID_ARGUMENT", "the body must be a JSON object");
        }
        knownFields(body, COMMENT_FIELDS);
        return text(body, "comment", false);
    }

    /** {@code GET /v1/events}: a page of the global log, from {@code from}, with the caller's and the query's filters. */
    private Object feed(HttpServletRequest request, Principal caller) {
        lastEventId(request); // checked on pages too, as the document says
        LogPage page = door.feed(caller, longParam(request, "from", 1L, 1), take(request), filter(request));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", page.items().stream().map(views::event).toList());
        out.put("next_from", page.nextPosition());
        return out;
    }

    /** The feed's filter: {@code aggregate_type}, {@code aggregate_id}, {@code event_type}, each optional. */
    private static EventFilter filter(HttpServletRequest request) {
        return new EventFilter(
                identifier(request, "aggregate_type"),
                identifier(request, "aggregate_id"),
                identifier(request, "event_type"));
    }

    private static String identifier(HttpServletRequest request, String name) {
        String value = query(request, name);
        if (value != null && !isIdentifier(value)) {
            throw new ApiError(
                    400,
                    "INVALID_ARGUMENT",
                    name + " is 1 to 128 of letters, digits and - _ . : @, got '" + printable(value) + "'");
        }
        return value;
    }

    /** The {@code Last-Event-ID} header: the log position a stream resumes after, or null. */
    private static Long lastEventId(HttpServletRequest request) {
        String value = request.getHeader("Last-Event-ID");
        if (value == null) {
            return null;
        }
        if (!LAST_EVENT_ID.matcher(value.strip()).matches()) {
            throw new ApiError(
                    400, "INVALID_ARGUMENT", "Last-Event-ID must be an event's log position (up to 18 digits)");
        }
        return Long.parseLong(value.strip());
    }

    private static final Pattern LAST_EVENT_ID = Pattern.compile("[0-9]{1,18}");

    /** Whether a text is an identifier: 1 to 128 of {@code A-Z a-z 0-9 - _ . : @}, not {@code .} or {@code ..}. */
    static boolean isIdentifier(String text) {
        return IDENTIFIER.matcher(text).matches() && !text.equals(".") && !text.equals("..");
    }

    /** Whether a client asks for Server-Sent Events. */
    private static boolean wantsStream(HttpServletRequest request) {
        String accept = request.getHeader("Accept");
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/event-stream");
    }

    /** How often an idle event stream sends a comment line, so that a client that left is found. */
    static final long HEARTBEAT_SECONDS = 15;

    /**
     * {@code GET /v1/events} with {@code Accept: text/event-stream}: every event the caller may read from {@code from}
     * (or after {@code Last-Event-ID}), then each new one as it becomes durable, as Server-Sent Events whose id is the
     * log position. No thread waits for the client: the subscription writes from its own thread.
     */
    private void stream(Exchange x) throws IOException {
        Long after = lastEventId(x.request);
        long from = after != null ? after + 1 : longParam(x.request, "from", 1L, 1);
        EventFilter filter = filter(x.request);
        HttpServletResponse response = x.response;
        ServletOutputStream out = response.getOutputStream();
        Object writing = new Object();
        java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Subscription> running =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<java.util.concurrent.Future<?>> beat =
                new java.util.concurrent.atomic.AtomicReference<>();
        Runnable end = () -> {
            if (over.compareAndSet(false, true)) {
                java.util.concurrent.Future<?> heartbeat = beat.get();
                if (heartbeat != null) {
                    heartbeat.cancel(false);
                }
                Subscription subscription = running.get();
                if (subscription != null) {
                    streams.remove(subscription);
                }
                x.end();
            }
        };
        Subscription subscription = door.subscribe(x.caller, from, filter, new io.eventdbx.api.EventSink() {
            @Override
            public void deliver(EventRecord event) throws IOException {
                byte[] data = json.writeValueAsBytes(views.event(event));
                synchronized (writing) {
                    out.write(("id: " + event.position() + "\nevent: event\ndata: ").getBytes(StandardCharsets.UTF_8));
                    out.write(data);
                    out.write(SSE_END);
                    out.flush();
                }
            }

            @Override
            public void ended(Throwable cause) {
                end.run();
            }
        });
        running.set(subscription);
        streams.add(subscription);
        x.async().addListener(new jakarta.servlet.AsyncListener() {
            @Override
            public void onComplete(jakarta.servlet.AsyncEvent event) {
                subscription.close();
            }

            @Override
            public void onTimeout(jakarta.servlet.AsyncEvent event) {
                subscription.close();
            }

            @Override
            public void onError(jakarta.servlet.AsyncEvent event) {
                subscription.close();
            }

            @Override
            public void onStartAsync(jakarta.servlet.AsyncEvent event) {
                // one asynchronous cycle
            }
        });
        synchronized (writing) {
            response.setStatus(200);
            response.setContentType("text/event-stream;charset=utf-8");
            response.setHeader("Cache-Control", "no-store");
            out.write((": events from position " + from + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        beat.set(heartbeats.scheduleAtFixedRate(
                () -> {
                    try {
                        synchronized (writing) {
                            out.write(HEARTBEAT);
                            out.flush();
                        }
                    } catch (IOException | RuntimeException gone) {
                        subscription.close(); // the client left: its subscription ends, and so does the request
                    }
                },
                HEARTBEAT_SECONDS,
                HEARTBEAT_SECONDS,
                TimeUnit.SECONDS));
    }

    private static final byte[] SSE_END = "\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] HEARTBEAT = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    private Object list(HttpServletRequest request, Principal caller) {
        long skip = longParam(request, "skip", 0L, 0);
        Page<AggregateState> page = door.list(caller, query(request, "cursor"), skip, take(request));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", page.items().stream().map(views::state).toList());
        out.put("next_cursor", page.nextCursor());
        return out;
    }

    private Object append(HttpServletRequest request, Principal caller, byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new ApiError(400, "INVALID_ARGUMENT", "the body is empty: send the event as a JSON object");
        }
        JsonNode body = parse(bytes);
        if (!body.isObject()) {
            throw new ApiError(400, "INVALID_ARGUMENT", "the body must be a JSON object");
        }
        knownFields(body, EVENT_FIELDS);
        String type = text(body, "aggregate_type", true);
        String id = text(body, "aggregate_id", true);
        String eventType = text(body, "event_type", true);
        JsonNode payload = body.get("payload");
        if (payload == null || !payload.isObject()) {
            throw new ApiError(400, "INVALID_ARGUMENT", "payload must be a JSON object");
        }
        String eventId = text(body, "event_id", false);
        String idempotencyKey = request.getHeader("Idempotency-Key");
        if (idempotencyKey != null) {
            if (idempotencyKey.isEmpty()) {
                throw new ApiError(400, "INVALID_ARGUMENT", "the Idempotency-Key header is empty: give the event id");
            }
            if (eventId != null && !eventId.equals(idempotencyKey)) {
                throw new ApiError(
                        400,
                        "INVALID_ARGUMENT",
                        "event_id and the Idempotency-Key header differ: give one, or the same");
            }
            eventId = idempotencyKey;
        }
        Long expected = null;
        if (body.hasNonNull("expected_version")) {
            JsonNode given = body.get("expected_version");
            if (!given.canConvertToExactIntegral() || !given.canConvertToLong() || given.asLong() < 0) {
                throw new ApiError(400, "INVALID_ARGUMENT", "expected_version must be a whole number from 0 to 2^63-1");
            }
            expected = given.asLong();
        }
        String ifMatch = request.getHeader("If-Match");
        if (ifMatch != null) {
            java.util.regex.Matcher match = IF_MATCH.matcher(ifMatch.strip());
            if (!match.matches()) {
                throw new ApiError(
                        400, "INVALID_ARGUMENT", "If-Match must be the expected version number (up to 18 digits)");
            }
            long fromHeader = Long.parseLong(match.group(1));
            if (expected != null && expected != fromHeader) {
                throw new ApiError(
                        400,
                        "INVALID_ARGUMENT",
                        "expected_version and the If-Match header differ: give one, or the same");
            }
            expected = fromHeader;
        }
        AppendRequest append = new AppendRequest(
                type,
                id,
                eventType,
                payloadText(payload),
                text(body, "note", false),
                expected,
                eventId,
                null); // the door attributes the event to the caller
        return new Deferred(door.append(caller, append).toCompletableFuture(), (record, error) -> {
            if (error == null) {
                return views.event((EventRecord) record);
            }
            throw error instanceof RuntimeException e
                    ? e
                    : new Refusal(Refusal.Code.UNAVAILABLE, "the write failed: " + error, Map.of(), error);
        });
    }

    /** The payload as JSON text for the store, its numbers exactly as sent. */
    private String payloadText(JsonNode payload) {
        try {
            return json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "INVALID_ARGUMENT", "payload cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * A query parameter, from the query string only (never from a form body, which the container would wait for);
     * the first of repeated ones; null when absent.
     */
    static String query(HttpServletRequest request, String name) {
        String query = request.getQueryString();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            try {
                if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
                    return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, "INVALID_ARGUMENT", "the query string has a malformed percent-encoding");
            }
        }
        return null;
    }

    private static void knownFields(JsonNode body, Set<String> known) {
        body.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                throw new ApiError(
                        400,
                        "INVALID_ARGUMENT",
                        "unknown field '" + name + "'; known: " + new java.util.TreeSet<>(known));
            }
        });
    }

    private JsonNode parse(byte[] bytes) {
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
            if (node == null || node.isMissingNode()) {
                throw new ApiError(400, "INVALID_ARGUMENT", "the body is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "INVALID_ARGUMENT", "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiError(400, "INVALID_ARGUMENT", "the body cannot be read: " + e.getMessage());
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

    private static void requireMethod(String method, String expected, String path) {
        if (!method.equals(expected)) {
            throw new ApiError(
                    405,
                    "METHOD_NOT_ALLOWED",
                    method + " is not allowed on " + printable(path) + "; use " + expected,
                    expected);
        }
    }

    /** The {@code take} query parameter, or null for the door's default page. */
    private static Integer take(HttpServletRequest request) {
        Long take = longParam(request, "take", null, 1);
        return take == null ? null : (int) Math.min(take, Integer.MAX_VALUE);
    }

    private static long requiredLong(HttpServletRequest request, String name, long min) {
        Long value = longParam(request, name, null, min);
        if (value == null) {
            throw new ApiError(400, "INVALID_ARGUMENT", "the query parameter '" + name + "' is required");
        }
        return value;
    }

    private static Long longParam(HttpServletRequest request, String name, Long fallback, long min) {
        String value = query(request, name);
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
        List<String> out = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                out.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private void send(HttpServletResponse response, int status, Object body) throws IOException {
        sendBytes(response, status, json.writeValueAsBytes(body));
    }

    private static void sendBytes(HttpServletResponse response, int status, byte[] bytes) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json;charset=utf-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static Map<String, Object> error(String code, String message) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("code", code);
        out.put("message", message);
        return out;
    }
}
