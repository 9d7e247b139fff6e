package io.eventdbx.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where a {@link Subscription} delivers: committed events one at a time, in global-log order, on the subscription's own
 * thread (so a slow sink slows only itself).
 *
 * @since 1.5
 */
@ConsumerType
public interface EventSink {

    /**
     * Takes the next event. Throwing ends the subscription ({@link #ended} follows with the failure).
     *
     * @param event the event, durable
     * @throws Exception to end the subscription (the client went away, say)
     */
    void deliver(EventRecord event) throws Exception;

    /**
     * Every durable event the subscription knows of has been delivered, and it now waits for the next commit: a sink
     * that buffers events (to send them in batches) sends what it holds here. Called once per wait, not per event.
     *
     * @throws Exception to end the subscription
     * @since 1.7
     */
    default void caughtUp() throws Exception {}

    /**
     * The subscription ended: closed by its owner (cause null), the store stopped, or {@link #deliver} threw.
     *
     * @param cause why, or null when it was closed
     */
    default void ended(Throwable cause) {}
}
