package io.eventdbx.api;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What an append costs its writer, paid inside the group commit: the store calls {@link #take} on its commit thread
 * once the event is certain to be in the batch (not a retry of a committed write, every check passed), and writes the
 * returned entry in the same atomic batch as the event; if the event is not written after all, {@link #giveBack}.
 *
 * @since 1.5
 */
@ConsumerType
public interface WriteCharge {

    /**
     * Takes the cost of one event. Must be quick: it runs on the commit thread.
     *
     * @return the key and value that record it, written with the event
     * @throws EventStoreException WRITE_LIMIT_REACHED when nothing is left to take
     */
    Map.Entry<byte[], byte[]> take();

    /** The event was not written after all: give back what {@link #take} took. */
    void giveBack();
}
