package io.eventdbx.core.internal;

import io.eventdbx.api.AggregateState;
import io.eventdbx.integrity.CanonicalJson;
import io.eventdbx.integrity.Hex;
import io.eventdbx.integrity.MerkleFrontier;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An aggregate's head: everything an append needs (version, Merkle frontier, state) and what a current-state
 * read returns. Immutable; each write makes a new one.
 *
 * @param type the aggregate type
 * @param id the aggregate id
 * @param version the current version
 * @param frontier the Merkle frontier of versions 1..version
 * @param state the folded state: key to canonical JSON value text, sorted (so folding is a map update and the
 *     canonical state text is a concatenation)
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
        SortedMap<String, String> state,
        boolean archived,
        String createdAt,
        String updatedAt,
        String comment) {

    static Head created(String type, String id, String now) {
        return new Head(type, id, 0, MerkleFrontier.empty(), Collections.emptySortedMap(), false, now, now, null);
    }

    Head withEvent(MerkleFrontier next, SortedMap<String, String> newState, String now) {
        return new Head(type, id, version + 1, next, newState, archived, createdAt, now, comment);
    }

    Head withArchived(boolean flag, String newComment, String now) {
        return new Head(type, id, version, frontier, state, flag, createdAt, now, newComment);
    }

    String stateJson() {
        return CanonicalJson.object(state);
    }

    AggregateState toState() {
        return new AggregateState(
                type, id, version, stateJson(), Hex.of(frontier.root()), archived, createdAt, updatedAt, comment);
    }

    /** Folds a payload's members into a state: see {@link Codec#fold}. */
    static SortedMap<String, String> fold(SortedMap<String, String> state, SortedMap<String, String> payload) {
        TreeMap<String, String> next = new TreeMap<>(state);
        payload.forEach((key, value) -> next.put(key, normalise(value)));
        return Collections.unmodifiableSortedMap(next);
    }

    /** Scalars become strings ("42.5", "true"); strings, null, objects and arrays stay as they are. */
    static String normalise(String canonicalValue) {
        char first = canonicalValue.charAt(0);
        if (first == '"' || first == '{' || first == '[' || canonicalValue.equals("null")) {
            return canonicalValue;
        }
        // numbers and booleans in canonical form contain no character that needs escaping
        return '"' + canonicalValue + '"';
    }
}
