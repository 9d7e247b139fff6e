package io.eventdbx.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told about the store's writes, for metrics. Register one as a service and the store calls it from its write
 * path: keep every method short and non-blocking (no I/O, no locks held long), or appends slow down.
 */
@ConsumerType
public interface StoreObserver {

    /**
     * An append was acknowledged (it is durable).
     *
     * @param latencyNanos from the call to the acknowledgement, in nanoseconds
     */
    default void appended(long latencyNanos) {}

    /**
     * A group commit became durable: one write batch, one WAL sync.
     *
     * @param operations the writes it holds (appends, and other changes such as archive or snapshot)
     * @param syncNanos how long the synchronous write took, in nanoseconds
     */
    default void committed(int operations, long syncNanos) {}
}
