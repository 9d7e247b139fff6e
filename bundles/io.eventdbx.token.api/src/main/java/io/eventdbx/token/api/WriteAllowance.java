package io.eventdbx.token.api;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One limited token's write allowance, taken inside the store's group commit: {@link #take} runs on the commit thread
 * once an event is certain to be written, and returns the storage entry that records the write used, which goes into
 * the same atomic batch as the event. So an allowance is used exactly when its event is durable: nothing to give back
 * by hand when a write is refused, exact under concurrency and across restarts.
 *
 * @since 1.3
 */
@ProviderType
public interface WriteAllowance {

    /**
     * Takes one write.
     *
     * @return the key and value to write with the event
     * @throws TokenException WRITE_LIMIT_REACHED when none is left
     */
    Map.Entry<byte[], byte[]> take();

    /** The write taken was not made after all (a later check refused it, or its batch failed): it is given back. */
    void giveBack();
}
