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
 * read returns. Immutable; each write makes a new one. Its parts: the aggregate type and id, the current version,
 * the Merkle frontier of versions 1..version, the folded state (key to canonical JSON value text, sorted, so
 * folding is a map update and the canonical state text is a concatenation), whether it is archived, creation and
 * last change times, and the comment of the last archive or restore.
 */
final class Head {

    private final String type;
    private final String id;
    private final long version;
    private final MerkleFrontier frontier;
    private final SortedMap<String, String> state;
    private final boolean archived;
    private final String createdAt;
    private final String updatedAt;
    private final String comment;
    /**
     * The state's canonical JSON, made at most once per head (a benign race may make it twice): the append that
     * makes the head writes it anyway, and every current-state read of the head would otherwise make it again.
     */
    private String stateJson;
    /** What a read of this head returns, made once too: {@link AggregateState} is immutable. */
    private AggregateState view;

    Head(
            String type,
            String id,
            long version,
            MerkleFrontier frontier,
            SortedMap<String, String> state,
            boolean archived,
            String createdAt,
            String updatedAt,
            String comment) {
        this.type = type;
        this.id = id;
        this.version = version;
        this.frontier = frontier;
        this.state = state;
        this.archived = archived;
        this.createdAt = createdAt;
        this.updatedAt = updatedAt;
        this.comment = comment;
    }

    String type() {
        return type;
    }

    String id() {
        return id;
    }

    long version() {
        return version;
    }

    MerkleFrontier frontier() {
        return frontier;
    }

    SortedMap<String, String> state() {
        return state;
    }

    boolean archived() {
        return archived;
    }

    String createdAt() {
        return createdAt;
    }

    String updatedAt() {
        return updatedAt;
    }

    String comment() {
        return comment;
    }

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
        String json = stateJson;
        if (json == null) {
            json = CanonicalJson.object(state);
            stateJson = json; // a String is safely published: its fields are final
        }
        return json;
    }

    AggregateState toState() {
        AggregateState made = view;
        if (made == null) {
            made = new AggregateState(
                    type, id, version, stateJson(), Hex.of(frontier.root()), archived, createdAt, updatedAt, comment);
            view = made; // a record's fields are final: safely published
        }
        return made;
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
