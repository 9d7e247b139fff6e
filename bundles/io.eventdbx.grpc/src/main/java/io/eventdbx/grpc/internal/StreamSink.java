package io.eventdbx.grpc.internal;

import io.eventdbx.access.api.Refusal;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventSink;
import io.eventdbx.api.Subscription;
import io.eventdbx.proto.api.SubscribeResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.CancellationException;

/**
 * One {@code Subscribe} stream. The door's subscription delivers on its own thread; this sink gathers events into one
 * message until it holds {@link #MAX_EVENTS} or {@link #MAX_BYTES}, or the subscription has caught up (then what it
 * holds goes at once, so a live event waits for no other). Each message is one HTTP/2 write instead of one per
 * event. While the client's flow-control window is full the sink waits, so a slow client holds back only its own
 * subscription (which then reads the log instead of the committer's memory) and never more than one message is
 * buffered here. The stream ends when the client cancels, when the surface stops ({@code UNAVAILABLE}: reconnect), or
 * with the door's refusal (a revoked token).
 */
final class StreamSink implements EventSink {

    static final int MAX_EVENTS = 1_000;
    static final int MAX_BYTES = 1 << 20;

    private final ServerCallStreamObserver<SubscribeResponse> call;
    private final Object lock = new Object();
    private SubscribeResponse.Builder pending = SubscribeResponse.newBuilder(); // only the subscription's thread
    private int pendingBytes;
    private boolean finished; // guarded by lock: no more messages may be sent on the call
    private volatile Subscription subscription;

    StreamSink(ServerCallStreamObserver<SubscribeResponse> call) {
        this.call = call;
        call.setOnReadyHandler(this::wake);
        call.setOnCancelHandler(() -> {
            synchronized (lock) {
                finished = true;
                lock.notifyAll();
            }
            close();
        });
    }

    void attach(Subscription running) {
        subscription = running;
        synchronized (lock) {
            if (!finished) {
                return;
            }
        }
        close(); // cancelled before the subscription was there
    }

    private void wake() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    @Override
    public void deliver(EventRecord event) throws InterruptedException {
        io.eventdbx.proto.api.EventRecord message = EventServiceImpl.render(event);
        pending.addEvents(message);
        pendingBytes += message.getSerializedSize();
        if (pending.getEventsCount() >= MAX_EVENTS || pendingBytes >= MAX_BYTES) {
            send();
        }
    }

    @Override
    public void caughtUp() throws InterruptedException {
        if (pending.getEventsCount() > 0) {
            send();
        }
    }

    private void send() throws InterruptedException {
        SubscribeResponse message = pending.build();
        pending = SubscribeResponse.newBuilder();
        pendingBytes = 0;
        synchronized (lock) {
            while (!finished && !call.isReady()) {
                // woken by the ready handler; the timeout only guards against a readiness change seen late
                lock.wait(1_000);
            }
            if (finished) {
                throw new CancellationException("the client is gone");
            }
            call.onNext(message);
        }
    }

    @Override
    public void ended(Throwable cause) {
        synchronized (lock) {
            if (finished) {
                return;
            }
            finished = true;
            if (cause == null) {
                call.onCompleted();
            } else if (cause instanceof Refusal refusal) {
                call.onError(Statuses.of(refusal));
            } else {
                call.onError(Status.UNAVAILABLE
                        .withDescription("the subscription ended: " + cause.getMessage() + "; subscribe again")
                        .asRuntimeException());
            }
            lock.notifyAll();
        }
    }

    /** The surface is stopping: the client hears UNAVAILABLE and reconnects to whatever serves next. */
    void shutdown() {
        synchronized (lock) {
            if (!finished) {
                finished = true;
                call.onError(Status.UNAVAILABLE
                        .withDescription("the gRPC API is stopping; subscribe again from the last position seen")
                        .asRuntimeException());
            }
            lock.notifyAll();
        }
        close();
    }

    private void close() {
        Subscription running = subscription;
        if (running != null) {
            running.close();
        }
    }
}
