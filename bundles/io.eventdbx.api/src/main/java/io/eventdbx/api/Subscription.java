package io.eventdbx.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A running subscription to the global log: it delivers every committed event from its start position in log order,
 * first those already committed (catch-up), then each new one as it becomes durable (live), until closed.
 *
 * @since 1.5
 */
@ProviderType
public interface Subscription extends AutoCloseable {

    /**
     * The position of the next event it looks at: one past the last one delivered or filtered out. A new subscription
     * started there continues without a gap or a repeat.
     *
     * @return the position
     */
    long position();

    /** Stops delivering; returns once no delivery is in progress (unless called from the sink itself). */
    @Override
    void close();
}
