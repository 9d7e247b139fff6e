package io.eventdbx.access.api;

import io.eventdbx.api.EventRecord;

/**
 * Which events of the global log a reader wants: each field that is set must match; null matches everything.
 *
 * @param aggregateType the aggregate type, or null
 * @param aggregateId the aggregate id, or null
 * @param eventType the event type, or null
 */
public record EventFilter(String aggregateType, String aggregateId, String eventType) {

    /** Every event. */
    public static final EventFilter ALL = new EventFilter(null, null, null);

    /**
     * Whether an event matches.
     *
     * @param event the event
     * @return true if every set field matches
     */
    public boolean matches(EventRecord event) {
        return (aggregateType == null || aggregateType.equals(event.aggregateType()))
                && (aggregateId == null || aggregateId.equals(event.aggregateId()))
                && (eventType == null || eventType.equals(event.eventType()));
    }
}
