package io.eventdbx.schema.internal;

import java.util.List;

/**
 * A declared event of an aggregate type.
 *
 * @param note a note about the event, or null
 * @param fields the fields it may carry; empty for any
 */
record EventRule(String note, List<String> fields) {

    EventRule {
        fields = fields == null ? List.of() : List.copyOf(fields);
    }
}
