package io.eventdbx.schema.internal;

import io.eventdbx.schema.api.SchemaViolation;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a payload against a schema. Values arrive as canonical JSON text; scalars given as strings count as
 * their type when they parse as it ({@code "42"} is an integer), because {@code --field KEY=VALUE} sends text.
 */
final class Rules {

    private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();

    /** Checks a regex when it is set (a bad one is a usage error there, not a surprise at write time). */
    static void checkRegex(String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid --regex: " + e.getDescription());
        }
    }

    /** A violation with its facts: the aggregate type, the event, the field (or null) and the rule that failed. */
    static SchemaViolation violation(String type, String event, String field, String rule, String message) {
        java.util.Map<String, String> details = new java.util.LinkedHashMap<>();
        details.put("aggregate_type", type);
        details.put("event_type", event);
        if (field != null) {
            details.put("field", field);
        }
        details.put("rule", rule);
        return new SchemaViolation(message, details);
    }

    /** A field's rule failed; {@link #check} adds the aggregate type, event and field. */
    private static final class FieldRuleFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String rule;

        FieldRuleFailure(String rule, String message) {
            super(message, null, false, false);
            this.rule = rule;
        }
    }

    void check(Schema schema, String eventType, SortedMap<String, String> payload) {
        String where = "aggregate type " + schema.name() + ", event " + eventType;
        if (schema.locked()) {
            throw violation(
                    schema.name(),
                    eventType,
                    null,
                    "locked",
                    where + ": the aggregate type is locked and accepts no new events");
        }
        EventRule event = schema.events().get(eventType);
        if (event == null) {
            throw violation(
                    schema.name(),
                    eventType,
                    null,
                    "undeclared_event",
                    where + ": the event is not declared in the schema (declared: "
                            + String.join(", ", schema.events().keySet()) + ")");
        }
        for (String field : payload.keySet()) {
            if (!event.fields().isEmpty() && !event.fields().contains(field)) {
                throw violation(
                        schema.name(),
                        eventType,
                        field,
                        "not_allowed",
                        where + ", field " + field + ": not allowed for this event (allowed: "
                                + String.join(", ", event.fields()) + ")");
            }
        }
        for (Map.Entry<String, FieldRule> entry : schema.fields().entrySet()) {
            String field = entry.getKey();
            FieldRule rule = entry.getValue();
            String value = payload.get(field);
            boolean mayCarry = event.fields().isEmpty() || event.fields().contains(field);
            if (value == null || value.equals("null")) {
                if (rule.required() && mayCarry) {
                    throw violation(
                            schema.name(),
                            eventType,
                            field,
                            "required",
                            where + ", field " + field + ": required but missing");
                }
                continue;
            }
            try {
                checkValue(where + ", field " + field, rule, value);
            } catch (FieldRuleFailure e) {
                throw violation(schema.name(), eventType, field, e.rule, e.getMessage());
            }
        }
    }

    private void checkValue(String where, FieldRule rule, String json) {
        char first = json.charAt(0);
        boolean isString = first == '"';
        String text = isString ? unquote(json) : json;
        if (rule.type() != null) {
            boolean ok =
                    switch (rule.type()) {
                        case "text" -> isString;
                        case "integer" -> (isString || isNumber(first)) && parses(text, true);
                        case "decimal" -> (isString || isNumber(first)) && parses(text, false);
                        case "boolean" -> text.equals("true") || text.equals("false");
                        case "timestamp" -> isString && isTimestamp(text);
                        case "date" -> isString && isDate(text);
                        case "object" -> first == '{';
                        case "array" -> first == '[';
                        default -> true;
                    };
            if (!ok) {
                throw new FieldRuleFailure("type", where + ": type " + rule.type() + " expected, got " + shorten(json));
            }
        }
        if (rule.regex() != null && (isString || isNumber(first) || json.equals("true") || json.equals("false"))) {
            Pattern pattern = patterns.computeIfAbsent(rule.regex(), Pattern::compile);
            if (!pattern.matcher(text).matches()) {
                throw new FieldRuleFailure(
                        "regex", where + ": " + shorten(json) + " does not match regex " + rule.regex());
            }
        }
        if (rule.minLength() != null || rule.maxLength() != null) {
            long length = first == '[' ? arrayLength(json) : text.codePointCount(0, text.length());
            if ((rule.minLength() != null && length < rule.minLength())
                    || (rule.maxLength() != null && length > rule.maxLength())) {
                throw new FieldRuleFailure(
                        "length",
                        where + ": length " + length + " is outside " + bounds(rule.minLength(), rule.maxLength()));
            }
        }
        if (rule.min() != null || rule.max() != null) {
            BigDecimal number = number(text);
            if (number == null) {
                throw new FieldRuleFailure(
                        "range",
                        where + ": a number is needed for range " + bounds(rule.min(), rule.max()) + ", got "
                                + shorten(json));
            }
            if ((rule.min() != null && number.compareTo(rule.min()) < 0)
                    || (rule.max() != null && number.compareTo(rule.max()) > 0)) {
                throw new FieldRuleFailure(
                        "range", where + ": " + text + " is outside range " + bounds(rule.min(), rule.max()));
            }
        }
        if (!rule.values().isEmpty() && !rule.values().contains(text)) {
            throw new FieldRuleFailure(
                    "enum", where + ": " + shorten(json) + " is not one of " + String.join(", ", rule.values()));
        }
    }

    static String bounds(Object min, Object max) {
        return (min == null ? "" : min.toString()) + ".." + (max == null ? "" : max.toString());
    }

    private static boolean isNumber(char first) {
        return first == '-' || (first >= '0' && first <= '9');
    }

    private static boolean parses(String text, boolean integer) {
        BigDecimal n = number(text);
        if (n == null) {
            return false;
        }
        if (!integer) {
            return true;
        }
        try {
            n.toBigIntegerExact();
            return text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
        } catch (ArithmeticException e) {
            return false;
        }
    }

    private static BigDecimal number(String text) {
        if (text.isEmpty() || text.length() > 100) {
            return null;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean isTimestamp(String text) {
        try {
            OffsetDateTime.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static boolean isDate(String text) {
        try {
            LocalDate.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** The text of a canonical JSON string (escapes resolved). */
    static String unquote(String json) {
        String inner = json.substring(1, json.length() - 1);
        if (inner.indexOf('\\') < 0) {
            return inner;
        }
        StringBuilder out = new StringBuilder(inner.length());
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = inner.charAt(++i);
            switch (e) {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    out.append((char) Integer.parseInt(inner.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append(e);
            }
        }
        return out.toString();
    }

    private static long arrayLength(String json) {
        if (json.equals("[]")) {
            return 0;
        }
        long count = 1;
        int depth = 0;
        boolean inString = false;
        for (int i = 1; i < json.length() - 1; i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                count++;
            }
        }
        return count;
    }

    private static String shorten(String json) {
        return json.length() > 60 ? json.substring(0, 57) + "..." : json;
    }
}
