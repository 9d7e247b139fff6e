package io.eventdbx.api;

/**
 * A committed event, as in the seed's {@code EventRecord} JSON.
 *
 * @param aggregateType the aggregate's type
 * @param aggregateId the aggregate's id
 * @param eventType the event type
 * @param payloadJson the payload, canonical JSON
 * @param eventId {@code metadata.event_id}
 * @param createdAt {@code metadata.created_at}, RFC 3339 UTC
 * @param issuedBy {@code metadata.issued_by}, or null
 * @param note {@code metadata.note}, or null
 * @param schemaVersion the schema version that accepted it, or null
 * @param version its version in the aggregate, from 1
 * @param position its position in the global log, from 1, gap-free in commit order
 * @param hash the event hash, hex
 * @param merkleRoot the aggregate's Merkle root after this event, hex
 */
public record EventRecord(
        String aggregateType,
        String aggregateId,
        String eventType,
        String payloadJson,
        String eventId,
        String createdAt,
        IssuedBy issuedBy,
        String note,
        Long schemaVersion,
        long version,
        long position,
        String hash,
        String merkleRoot) {}
