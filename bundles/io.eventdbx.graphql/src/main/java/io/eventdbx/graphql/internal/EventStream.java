package io.eventdbx.graphql.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import graphql.ExecutionResult;
import io.eventdbx.access.api.Refusal;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * One subscription's response, as GraphQL over Server-Sent Events (distinct connections mode): an {@code event: next}
 * per result, {@code event: complete} at the end. It asks for one result at a time and writes it before asking for
 * the next, so a slow client slows only its own subscription. A comment line every {@link #HEARTBEAT_SECONDS}
 * keeps proxies from closing an idle stream and finds clients that left; the stream ends when the client leaves,
 * when the subscription ends (a refusal is sent as a last {@code next} with the error), or when the surface stops.
 */
final class EventStream implements Subscriber<ExecutionResult> {

    static final long HEARTBEAT_SECONDS = 15;

    private static final byte[] NEXT = "event: next\ndata: ".getBytes(StandardCharsets.UTF_8);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] COMPLETE = "event: complete\ndata:\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.UTF_8);

    private final AsyncContext async;
    private final HttpServletResponse response;
    private final ObjectMapper json;
    private final Function<ExecutionResult, Map<String, Object>> render;
    private final Consumer<EventStream> onEnd;
    private final Object lock = new Object();
    private Subscription subscription; // guarded by lock
    private boolean ended; // guarded by lock
    private ScheduledFuture<?> heartbeat;

    EventStream(
            AsyncContext async,
            HttpServletResponse response,
            ObjectMapper json,
            Function<ExecutionResult, Map<String, Object>> render,
            Consumer<EventStream> onEnd) {
        this.async = async;
        this.response = response;
        this.json = json;
        this.render = render;
        this.onEnd = onEnd;
    }

    /** Writes a single result and the end: a request that streams but is not a running subscription. */
    static void writeOnce(HttpServletResponse response, ObjectMapper json, Map<String, Object> result)
            throws IOException {
        ServletOutputStream out = response.getOutputStream();
        out.write(NEXT);
        out.write(json.writeValueAsBytes(result));
        out.write(END);
        out.write(COMPLETE);
        out.flush();
    }

    void keepAlive(ScheduledThreadPoolExecutor scheduler) {
        heartbeat = scheduler.scheduleWithFixedDelay(
                () -> write(HEARTBEAT, null), HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        response.setBufferSize(Math.max(response.getBufferSize(), 8192));
        write(HEARTBEAT, null); // the headers go now: the client knows the subscription runs
    }

    @Override
    public void onSubscribe(Subscription s) {
        boolean endedBefore;
        synchronized (lock) {
            subscription = s;
            endedBefore = ended;
        }
        if (endedBefore) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(ExecutionResult result) {
        if (write(NEXT, json(render.apply(result)))) {
            Subscription s;
            synchronized (lock) {
                s = subscription;
            }
            s.request(1);
        }
    }

    @Override
    public void onError(Throwable failure) {
        Map<String, Object> error = new LinkedHashMap<>();
        if (failure instanceof Refusal refusal) {
            error.put("message", refusal.getMessage());
            error.put("extensions", Errors.extensions(refusal));
        } else {
            error.put("message", "the subscription ended: the server could not go on; subscribe again");
            error.put("extensions", Map.of("code", Refusal.Code.UNAVAILABLE.name()));
        }
        write(NEXT, json(Map.of("errors", List.of(error))));
        end(true);
    }

    @Override
    public void onComplete() {
        end(true);
    }

    /** Ends the stream without a {@code complete} event (the surface stops): the client reconnects. */
    void close() {
        end(false);
    }

    private byte[] json(Map<String, Object> value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("a result could not be written as JSON", e);
        }
    }

    /** Writes one frame; false (and the stream ends) when the client has gone. */
    private boolean write(byte[] head, byte[] data) {
        synchronized (lock) {
            if (ended) {
                return false;
            }
            try {
                ServletOutputStream out = response.getOutputStream();
                out.write(head);
                if (data != null) {
                    out.write(data);
                    out.write(END);
                }
                out.flush();
                return true;
            } catch (IOException | IllegalStateException gone) {
                // the client left (or the container ended the request): stop its subscription
            }
        }
        end(false);
        return false;
    }

    private void end(boolean complete) {
        Subscription s;
        synchronized (lock) {
            if (ended) {
                return;
            }
            if (complete) {
                try {
                    response.getOutputStream().write(COMPLETE);
                    response.getOutputStream().flush();
                } catch (IOException | IllegalStateException gone) {
                    // nobody to tell
                }
            }
            ended = true;
            s = subscription;
        }
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        if (s != null) {
            s.cancel();
        }
        onEnd.accept(this);
        try {
            async.complete();
        } catch (IllegalStateException alreadyDone) {
            // the container ended it first
        }
    }
}
