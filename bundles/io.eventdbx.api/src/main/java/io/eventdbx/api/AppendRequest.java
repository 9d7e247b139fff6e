package io.eventdbx.api;

import java.util.Objects;

/**
 * One event to append.
 *
 * @param aggregateType the aggregate's type
 * @param aggregateId the aggregate's id
 * @param eventType the event type
 * @param payloadJson the payload, a JSON object
 * @param note an optional note (at most 128 characters), or null
 * @param expectedVersion the version the aggregate must have now (0: it must not exist or have no events),
 *     or null for no check
 * @param eventId a client-chosen event id for idempotent retries, or null to have one generated
 * @param issuedBy who writes it, or null
 */
public record AppendRequest(
        String aggregateType,
        String aggregateId,
        String eventType,
        String payloadJson,
        String note,
        Long expectedVersion,
        String eventId,
        IssuedBy issuedBy) {

    /** Checks the mandatory fields are present (their content is validated by the store). */
    public AppendRequest {
        Objects.requireNonNull(aggregateType, "aggregateType");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(payloadJson, "payloadJson");
    }
}
