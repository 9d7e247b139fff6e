package io.eventdbx.access.api;

import io.eventdbx.api.EventRecord;
import java.util.List;

/**
 * A page of the global log: the events a caller may read that match its filter, and where to read on.
 *
 * @param items the events, in log order
 * @param nextPosition the position to ask for next (one past the last position looked at)
 */
public record LogPage(List<EventRecord> items, long nextPosition) {

    /** Keeps an unmodifiable copy of the items. */
    public LogPage {
        items = List.copyOf(items);
    }
}
