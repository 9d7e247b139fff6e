package io.eventdbx.emitter.api;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One configured plugin instance: sends envelopes to one receiver. Made by an {@link EmitterFactory}; called by one
 * dispatcher thread at a time, so it needs no locking of its own. It never retries: it answers, and the dispatcher
 * decides (backoff, dead letters, order per aggregate).
 */
@ConsumerType
public interface Emitter extends AutoCloseable {

    /**
     * Sends a batch, in order. Envelopes of one aggregate are in version order and an envelope is only offered once
     * the ones before it of its aggregate were delivered. Must not throw for a receiver's failure: answer {@link
     * Delivery#unreachable} when the receiver cannot be reached, {@link Delivery#retry} when it answered that the
     * envelope should come again, {@link Delivery#failed} when it never will be taken (a thrown exception counts as a
     * retry of the first envelope).
     *
     * @param batch one or more envelopes
     * @return how many were delivered and what became of the next
     */
    Delivery deliver(List<Envelope> batch);

    /**
     * Starts what the instance keeps running while it is enabled (a supervised process, say). The dispatcher calls it
     * once, on the instance's thread, before the first delivery; emitters made only to check options or
     * connectivity are never opened. A failure is retried later.
     *
     * @throws Exception saying what could not be started
     */
    default void open() throws Exception {}

    /**
     * Checks that the receiver can be reached (a connection, a request, the binary): {@code dbx plugin enable} runs it
     * before it turns an instance on.
     *
     * @throws Exception saying what could not be reached, in words for an operator
     */
    default void check() throws Exception {}

    /** Releases connections, threads and processes; the instance is not used again. */
    @Override
    default void close() {}
}
