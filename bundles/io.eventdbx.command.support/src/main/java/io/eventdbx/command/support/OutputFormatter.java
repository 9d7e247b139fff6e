package io.eventdbx.command.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prints command results, the one place where output format is decided.
 *
 * <ul>
 *   <li>{@code null}: nothing.
 *   <li>a {@link CharSequence}: the text as it is.
 *   <li>a {@link Map}: {@code key: value} lines, nested maps flattened with dotted keys.
 *   <li>a {@link List} of maps: a table whose columns are the union of the keys, in first-seen order.
 * </ul>
 *
 * With {@code json} set, every result is printed as JSON instead (a string as a JSON string).
 */
public final class OutputFormatter {

    private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Prints a result.
     *
     * @param result the value a command returned
     * @param json whether to print JSON
     * @param out the destination
     */
    public void print(Object result, boolean json, PrintStream out) {
        if (result == null) {
            return;
        }
        if (json) {
            out.println(toJson(result));
        } else if (result instanceof CharSequence text) {
            out.println(text);
        } else if (result instanceof Map<?, ?> map) {
            printMap(map, out);
        } else if (result instanceof List<?> list) {
            printTable(list, out);
        } else {
            out.println(result);
        }
        out.flush();
    }

    /**
     * Renders a value as pretty-printed JSON.
     *
     * @param value a map, list, string, number or boolean
     * @return the JSON text
     */
    public String toJson(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("result cannot be rendered as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private void printMap(Map<?, ?> map, PrintStream out) {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", map, flat);
        int width = flat.keySet().stream().mapToInt(String::length).max().orElse(0);
        flat.forEach((key, value) -> out.println(pad(key + ":", width + 1) + " " + value));
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> into) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = prefix + entry.getKey();
            if (entry.getValue() instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, into);
            } else {
                into.put(key, text(entry.getValue()));
            }
        }
    }

    private void printTable(List<?> rows, PrintStream out) {
        if (rows.isEmpty()) {
            out.println("(none)");
            return;
        }
        if (!(rows.get(0) instanceof Map)) {
            rows.forEach(row -> out.println(text(row)));
            return;
        }
        Set<String> columns = new LinkedHashSet<>();
        List<Map<String, String>> flatRows = new ArrayList<>();
        for (Object row : rows) {
            Map<String, String> flat = new LinkedHashMap<>();
            flatten("", (Map<?, ?>) row, flat);
            columns.addAll(flat.keySet());
            flatRows.add(flat);
        }
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (String column : columns) {
            int width = column.length();
            for (Map<String, String> row : flatRows) {
                width = Math.max(width, row.getOrDefault(column, "").length());
            }
            widths.put(column, width);
        }
        StringBuilder header = new StringBuilder();
        widths.forEach((column, width) -> header.append(pad(column.toUpperCase(java.util.Locale.ROOT), width))
                .append("  "));
        out.println(header.toString().stripTrailing());
        for (Map<String, String> row : flatRows) {
            StringBuilder line = new StringBuilder();
            widths.forEach((column, width) ->
                    line.append(pad(row.getOrDefault(column, ""), width)).append("  "));
            out.println(line.toString().stripTrailing());
        }
    }

    private static String text(Object value) {
        if (value == null) {
            return "-";
        }
        if (value instanceof List<?> list) {
            return String.join(",", list.stream().map(OutputFormatter::text).toList());
        }
        return String.valueOf(value);
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
