package io.eventdbx.schema.api;

import java.util.List;

/**
 * A declared event.
 *
 * @param note a note about it, or null
 * @param fields the fields it may carry; empty means any
 * @since 1.2
 */
public record EventInfo(String note, List<String> fields) {

    /** Keeps an unmodifiable copy of the fields. */
    public EventInfo {
        fields = fields == null ? List.of() : List.copyOf(fields);
    }
}
