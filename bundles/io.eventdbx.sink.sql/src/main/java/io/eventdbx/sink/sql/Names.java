package io.eventdbx.sink.sql;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Table and column names made from aggregate types and field names: lower case, letters, digits and underscores. */
public final class Names {

    /** The columns every state table has; a field of the same name gets a {@code state_} prefix. */
    public static final Set<String> SYSTEM_COLUMNS =
            Set.of("aggregate_id", "version", "merkle_root", "updated_at", "last_event_type", "last_event_id");

    private static final Pattern COLUMN = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final int MAX = 63; // PostgreSQL's identifier length

    private Names() {}

    /**
     * The column of a field or dotted path: {@code address.city} becomes {@code address_city}.
     *
     * @param field the field
     * @return the column name
     */
    public static String column(String field) {
        String name = identifier(field.replace('.', '_'));
        return SYSTEM_COLUMNS.contains(name) ? identifier("state_" + name) : name;
    }

    /**
     * A column name a user chose, checked.
     *
     * @param column the name
     * @return it, lower case
     * @throws IllegalArgumentException if it is not a plain identifier or is a system column
     */
    public static String checkedColumn(String column) {
        String name = column.toLowerCase(Locale.ROOT);
        if (!COLUMN.matcher(name).matches()) {
            throw new IllegalArgumentException("--column must be letters, digits and underscores (at most 63, not"
                    + " starting with a digit), got '" + column + "'");
        }
        if (SYSTEM_COLUMNS.contains(name)) {
            throw new IllegalArgumentException("--column " + name + " is one the sink keeps itself: "
                    + String.join(", ", new java.util.TreeSet<>(SYSTEM_COLUMNS)));
        }
        return name;
    }

    /**
     * The table of an aggregate type's states.
     *
     * @param prefix the instance's table prefix (may be empty)
     * @param aggregateType the type
     * @return the table name
     */
    public static String table(String prefix, String aggregateType) {
        return identifier(prefix + aggregateType);
    }

    /**
     * A name as an unquoted-safe identifier: lower case, other characters as underscores, a leading digit prefixed.
     *
     * @param text the name
     * @return the identifier
     */
    public static String identifier(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toLowerCase(Locale.ROOT).toCharArray()) {
            out.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
        }
        if (out.length() == 0 || Character.isDigit(out.charAt(0))) {
            out.insert(0, "t_");
        }
        return out.length() > MAX ? out.substring(0, MAX) : out.toString();
    }

    /**
     * A quoted identifier (all names are quoted: an aggregate type may be a reserved word such as {@code order}).
     *
     * @param identifier the identifier, as made here
     * @return it in double quotes
     */
    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
