package io.eventdbx.emitter.api;

/**
 * One committed event as an emitter receives it.
 *
 * @param position the event's position in the global log (unique, increasing)
 * @param aggregateType the aggregate type
 * @param aggregateId the aggregate id
 * @param eventType the event type
 * @param eventId the event id: receivers drop duplicates by it (delivery is at least once)
 * @param version the aggregate's version after this event
 * @param json the seed's {@code EventRecord} as compact JSON: {@code aggregate_type, aggregate_id, event_type,
 *     payload, metadata{event_id, created_at, issued_by{group,user}, note?}, version, hash, merkle_root}
 */
public record Envelope(
        long position,
        String aggregateType,
        String aggregateId,
        String eventType,
        String eventId,
        long version,
        String json) {}
