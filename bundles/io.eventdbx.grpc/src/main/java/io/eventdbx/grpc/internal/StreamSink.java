package io.eventdbx.grpc.internal;

import io.eventdbx.access.api.Refusal;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventSink;
import io.eventdbx.api.Subscription;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.CancellationException;

/**
 * One {@code Subscribe} stream: the door's subscription delivers on its own thread, and this sink waits while the
 * client's flow-control window is full, so a slow client holds back only its own subscription (which then reads the
 * log instead of the committer's memory) and never buffers more than one message here. The subscription ends when
 * the client cancels, when the surface stops ({@code UNAVAILABLE}: reconnect), or with the door's refusal (a revoked
 * token).
 */
final class StreamSink implements EventSink {

    private final ServerCallStreamObserver<io.eventdbx.proto.api.EventRecord> call;
    private final Object lock = new Object();
    private boolean finished; // guarded by lock: no more messages may be sent on the call
    private volatile Subscription subscription;

    StreamSink(ServerCallStreamObserver<io.eventdbx.proto.api.EventRecord> call) {
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
