package io.eventdbx.schema.internal;

import java.math.BigDecimal;
import java.util.List;

/**
 * The rules of one field of an aggregate type. Unset rules are null (or false, or empty).
 *
 * @param type {@code text}, {@code integer}, {@code decimal}, {@code boolean}, {@code timestamp}, {@code date},
 *     {@code object} or {@code array}; null for any
 * @param required whether every event that may carry the field must carry it (not null)
 * @param regex a pattern the whole text value must match
 * @param minLength least length (characters of text, elements of an array)
 * @param maxLength greatest length
 * @param min least numeric value
 * @param max greatest numeric value
 * @param values the allowed values (enum), compared as text
 * @param locked whether the value cannot change once the aggregate has one
 */
record FieldRule(
        String type,
        boolean required,
        String regex,
        Long minLength,
        Long maxLength,
        BigDecimal min,
        BigDecimal max,
        List<String> values,
        boolean locked) {

    static final List<String> TYPES =
            List.of("text", "integer", "decimal", "boolean", "timestamp", "date", "object", "array");

    static final FieldRule NONE = new FieldRule(null, false, null, null, null, null, null, List.of(), false);

    FieldRule {
        values = values == null ? List.of() : List.copyOf(values);
    }

    FieldRule withLocked(boolean flag) {
        return new FieldRule(type, required, regex, minLength, maxLength, min, max, values, flag);
    }
}
