package io.eventdbx.sink.sql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which state field of which aggregate type goes to which column, typed how ({@code dbx plugin map}). A field is a
 * top-level payload member or a dotted path into an object member ({@code address.city}); unmapped top-level fields
 * get a text column named after them.
 *
 * @param aggregateType the aggregate type
 * @param field the field or dotted path
 * @param sqlType the column's SQL type
 * @param column the column's name
 */
public record FieldMapping(String aggregateType, String field, String sqlType, String column) {

    /** An SQL type as a user writes one: a name of words, an optional size or precision, an optional array mark. */
    private static final Pattern SQL_TYPE = Pattern.compile(
            "[A-Za-z][A-Za-z0-9_]*( [A-Za-z][A-Za-z0-9_]*){0,3}(\\(\\d{1,4}(, ?\\d{1,4})?\\))?(\\[\\])?");

    private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9_@:-]{1,128}(\\.[A-Za-z0-9_@:-]{1,128}){0,7}");

    /**
     * Checks a mapping; the column defaults to the field's column name.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public FieldMapping {
        if (aggregateType == null || aggregateType.isBlank()) {
            throw new IllegalArgumentException("a mapping needs an aggregate type (--aggregate)");
        }
        if (field == null || !FIELD.matcher(field).matches()) {
            throw new IllegalArgumentException(
                    "--field must be a field name or a dotted path such as address.city, got '" + field + "'");
        }
        if (sqlType == null || !SQL_TYPE.matcher(sqlType.strip()).matches()) {
            throw new IllegalArgumentException("--datatype must be an SQL type such as integer, numeric(10,2), jsonb or"
                    + " timestamp with time zone, got '" + sqlType + "'");
        }
        sqlType = sqlType.strip().toLowerCase(Locale.ROOT);
        column = column == null || column.isBlank() ? Names.column(field) : Names.checkedColumn(column);
    }

    /**
     * The mapping as the sink's {@code map} option stores it: {@code aggregate|field|type|column}.
     *
     * @return the option value
     */
    public String option() {
        return aggregateType + "|" + field + "|" + sqlType + "|" + column;
    }

    /**
     * A stored mapping.
     *
     * @param option {@code aggregate|field|type[|column]}
     * @return the mapping
     * @throws IllegalArgumentException if it is malformed
     */
    public static FieldMapping parse(String option) {
        String[] parts = option.split("\\|", -1);
        if (parts.length < 3 || parts.length > 4) {
            throw new IllegalArgumentException(
                    "--map must be aggregate|field|type[|column] (dbx plugin map writes it), got '" + option + "'");
        }
        return new FieldMapping(parts[0], parts[1], parts[2], parts.length == 4 ? parts[3] : null);
    }

    /**
     * The mappings of an instance's {@code map} option, by aggregate type then field; a later mapping of the same
     * field replaces an earlier one.
     *
     * @param options the option's values, or null
     * @return the mappings
     */
    public static Map<String, Map<String, FieldMapping>> byType(List<String> options) {
        Map<String, Map<String, FieldMapping>> out = new LinkedHashMap<>();
        for (String option : options == null ? List.<String>of() : options) {
            FieldMapping mapping = parse(option);
            out.computeIfAbsent(mapping.aggregateType(), k -> new LinkedHashMap<>())
                    .put(mapping.field(), mapping);
        }
        return out;
    }

    /**
     * The option values after adding (or replacing) a mapping: what {@code dbx plugin map} stores.
     *
     * @param options the current values, or null
     * @param added the new mapping
     * @return the new values
     */
    public static List<String> with(List<String> options, FieldMapping added) {
        List<String> out = new ArrayList<>();
        for (String option : options == null ? List.<String>of() : options) {
            FieldMapping existing = parse(option);
            if (!(existing.aggregateType().equals(added.aggregateType())
                    && existing.field().equals(added.field()))) {
                out.add(option);
            }
        }
        out.add(added.option());
        return out;
    }
}
