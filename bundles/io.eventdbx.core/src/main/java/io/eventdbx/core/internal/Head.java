package io.eventdbx.core.internal;

import io.eventdbx.api.AggregateState;
import io.eventdbx.integrity.Hex;
import io.eventdbx.integrity.MerkleFrontier;

/**
 * An aggregate's head: everything an append needs (version, Merkle frontier, state) and what a current-state
 * read returns. Immutable; each write makes a new one.
 *
 * @param type the aggregate type
 * @param id the aggregate id
 * @param version the current version
 * @param frontier the Merkle frontier of versions 1..version
 * @param stateJson the folded state, canonical JSON
 * @param archived whether it is archived
 * @param createdAt creation time
 * @param updatedAt last change
 * @param comment comment of the last archive or restore
 */
record Head(
        String type,
        String id,
        long version,
        MerkleFrontier frontier,
        String stateJson,
        boolean archived,
        String createdAt,
        String updatedAt,
        String comment) {

    static Head created(String type, String id, String now) {
        return new Head(type, id, 0, MerkleFrontier.empty(), "{}", false, now, now, null);
    }

    Head withEvent(MerkleFrontier next, String state, String now) {
        return new Head(type, id, version + 1, next, state, archived, createdAt, now, comment);
    }

    Head withArchived(boolean flag, String newComment, String now) {
        return new Head(type, id, version, frontier, stateJson, flag, createdAt, now, newComment);
    }

    AggregateState toState() {
        return new AggregateState(
                type, id, version, stateJson, Hex.of(frontier.root()), archived, createdAt, updatedAt, comment);
    }
}
