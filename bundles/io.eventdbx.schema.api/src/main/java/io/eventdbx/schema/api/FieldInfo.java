package io.eventdbx.schema.api;

import java.math.BigDecimal;
import java.util.List;

/**
 * The rules of one field.
 *
 * @param type text, integer, decimal, boolean, timestamp, date, object or array; null for any
 * @param required whether every event that may carry it must
 * @param regex a pattern its value must match, or null
 * @param minLength the least text length or array size, or null
 * @param maxLength the most text length or array size, or null
 * @param min the least number, or null
 * @param max the most number, or null
 * @param values the values it may take; empty means any
 * @param locked whether it keeps the first value it gets
 * @since 1.2
 */
public record FieldInfo(
        String type,
        boolean required,
        String regex,
        Long minLength,
        Long maxLength,
        BigDecimal min,
        BigDecimal max,
        List<String> values,
        boolean locked) {

    /** Keeps an unmodifiable copy of the values. */
    public FieldInfo {
        values = values == null ? List.of() : List.copyOf(values);
    }
}
