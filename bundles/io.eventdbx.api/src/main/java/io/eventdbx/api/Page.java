package io.eventdbx.api;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param items the items
 * @param nextCursor the opaque cursor of the next page, or null at the end
 * @param <T> the item type
 */
public record Page<T>(List<T> items, String nextCursor) {

    /** Copies the items. */
    public Page {
        items = List.copyOf(items);
    }
}
