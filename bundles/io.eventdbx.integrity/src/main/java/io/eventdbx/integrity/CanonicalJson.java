package io.eventdbx.integrity;

import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical text of a JSON value: the one byte form that is stored and hashed, and that a client can
 * recompute from any JSON text with the same value. Rules ({@code docs/integrity.md}):
 *
 * <ul>
 *   <li>no insignificant white space;
 *   <li>object members sorted by key, comparing UTF-16 code units (as RFC 8785); duplicate keys are an error;
 *   <li>strings escape only {@code "}, {@code \}, and control characters ({@code \b \f \n \r \t}, others as
 *       {@code \}{@code u00xx} in lower case); every other character is written as itself; unpaired
 *       surrogates are an error;
 *   <li>numbers are exact decimals: written in plain notation without exponent, without trailing zeros in
 *       the fraction, {@code -0} as {@code 0} ({@code 1.50} and {@code 15e-1} both become {@code 1.5}); an
 *       exponent beyond ±1000 is an error;
 *   <li>{@code true}, {@code false}, {@code null} as themselves; nesting deeper than 64 is an error.
 * </ul>
 */
public final class CanonicalJson {

    private static final int MAX_DEPTH = 64;
    private static final int MAX_EXPONENT = 1000;

    private final String text;
    private int pos;
    /** Where the parser is (member names and array indexes), so that an error can name the field. */
    private final java.util.ArrayList<String> path = new java.util.ArrayList<>();

    private CanonicalJson(String text) {
        this.text = text;
    }

    /**
     * Canonicalises JSON text.
     *
     * @param json a JSON value
     * @return its canonical text
     * @throws IllegalArgumentException naming the position and the problem if the text is not valid JSON or
     *     breaks one of the limits
     */
    public static String canonicalize(String json) {
        CanonicalJson parser = new CanonicalJson(json);
        parser.skipWhitespace();
        StringBuilder out = new StringBuilder(json.length());
        parser.value(out, 0);
        parser.skipWhitespace();
        if (parser.pos != json.length()) {
            throw parser.error("unexpected text after the JSON value");
        }
        return out.toString();
    }

    /**
     * Canonicalises a JSON object and returns its members: each key (unescaped) with the canonical text of its
     * value, in canonical (sorted) order.
     *
     * @param json a JSON object
     * @return key to canonical value text
     * @throws IllegalArgumentException if the text is not valid JSON or not an object
     */
    public static java.util.SortedMap<String, String> objectMembers(String json) {
        CanonicalJson parser = new CanonicalJson(json);
        parser.skipWhitespace();
        if (parser.peek() != '{') {
            throw parser.error("expected a JSON object");
        }
        java.util.TreeMap<String, String> members = new java.util.TreeMap<>();
        parser.pos++;
        parser.skipWhitespace();
        if (parser.peek() == '}') {
            parser.pos++;
        } else {
            while (true) {
                parser.skipWhitespace();
                if (parser.peek() != '"') {
                    throw parser.error("expected a member name");
                }
                int keyAt = parser.pos;
                String name = parser.rawString();
                parser.skipWhitespace();
                parser.expect(':');
                parser.skipWhitespace();
                StringBuilder value = new StringBuilder();
                parser.path.add(name);
                parser.value(value, 1);
                parser.path.remove(parser.path.size() - 1);
                if (members.put(name, value.toString()) != null) {
                    parser.pos = keyAt;
                    throw parser.error("duplicate member name \"" + name + "\"");
                }
                parser.skipWhitespace();
                char c = parser.next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    parser.pos--;
                    throw parser.error("expected ',' or '}'");
                }
            }
        }
        parser.skipWhitespace();
        if (parser.pos != json.length()) {
            throw parser.error("unexpected text after the JSON value");
        }
        return members;
    }

    /**
     * Writes an object from members whose values are already canonical: the canonical text of that object.
     *
     * @param members key (unescaped) to canonical value text, in sorted order
     * @return the canonical object text
     */
    public static String object(java.util.SortedMap<String, String> members) {
        int size = 2;
        for (java.util.Map.Entry<String, String> member : members.entrySet()) {
            size += member.getKey().length() + member.getValue().length() + 4;
        }
        StringBuilder out = new StringBuilder(size).append('{');
        boolean first = true;
        for (java.util.Map.Entry<String, String> member : members.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            appendString(out, member.getKey());
            out.append(':').append(member.getValue());
        }
        return out.append('}').toString();
    }

    private void value(StringBuilder out, int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
        if (pos >= text.length()) {
            throw error("unexpected end of JSON");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{' -> object(out, depth);
            case '[' -> array(out, depth);
            case '"' -> string(out);
            case 't' -> literal(out, "true");
            case 'f' -> literal(out, "false");
            case 'n' -> literal(out, "null");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    number(out);
                } else {
                    throw error("unexpected character '" + c + "'");
                }
            }
        }
    }

    private void object(StringBuilder out, int depth) {
        pos++;
        Map<String, String> members = new TreeMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            out.append("{}");
            return;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a member name");
            }
            StringBuilder key = new StringBuilder();
            int keyAt = pos;
            String name = rawString();
            appendString(key, name);
            skipWhitespace();
            expect(':');
            skipWhitespace();
            StringBuilder member = new StringBuilder();
            path.add(name);
            value(member, depth + 1);
            path.remove(path.size() - 1);
            if (members.put(name, key + ":" + member) != null) {
                pos = keyAt;
                throw error("duplicate member name \"" + name + "\"");
            }
            skipWhitespace();
            char c = next();
            if (c == '}') {
                break;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
        }
        out.append('{').append(String.join(",", members.values())).append('}');
    }

    private void array(StringBuilder out, int depth) {
        pos++;
        out.append('[');
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            out.append(']');
            return;
        }
        boolean first = true;
        int index = 0;
        while (true) {
            skipWhitespace();
            if (!first) {
                out.append(',');
            }
            path.add("[" + index++ + "]");
            value(out, depth + 1);
            path.remove(path.size() - 1);
            first = false;
            skipWhitespace();
            char c = next();
            if (c == ']') {
                break;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
        }
        out.append(']');
    }

    private void string(StringBuilder out) {
        appendString(out, rawString());
    }

    private String rawString() {
        pos++;
        // Fast path, most strings: no escape, no control character, no surrogate: the text as it is.
        int start = pos;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                pos = i + 1;
                return text.substring(start, i);
            }
            if (c == '\\' || c < 0x20 || Character.isSurrogate(c)) {
                break;
            }
        }
        StringBuilder s = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                break;
            }
            if (c < 0x20) {
                pos--;
                throw error("control character in a string must be escaped");
            }
            if (c != '\\') {
                s.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"' -> s.append('"');
                case '\\' -> s.append('\\');
                case '/' -> s.append('/');
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("truncated \\u escape");
                    }
                    try {
                        s.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("invalid \\u escape");
                    }
                    pos += 4;
                }
                default -> {
                    pos--;
                    throw error("invalid escape '\\" + e + "'");
                }
            }
        }
        String value = s.toString();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw error("string contains an unpaired surrogate");
            }
        }
        return value;
    }

    private static void appendString(StringBuilder out, String value) {
        if (needsNoEscape(value)) {
            out.append('"').append(value).append('"');
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean needsNoEscape(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private void number(StringBuilder out) {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw error("invalid number");
        }
        if (peek() == '.') {
            pos++;
            if (!isDigit(peek())) {
                throw error("invalid number: digits expected after '.'");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("invalid number: digits expected in the exponent");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        BigDecimal value;
        try {
            value = new BigDecimal(text.substring(start, pos));
        } catch (NumberFormatException | ArithmeticException e) {
            pos = start;
            throw error("number out of range");
        }
        if (value.signum() == 0) {
            out.append('0');
            return;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        int exponent = stripped.precision() - stripped.scale() - 1;
        if (Math.abs(exponent) > MAX_EXPONENT) {
            pos = start;
            throw error("number out of range (exponent beyond ±" + MAX_EXPONENT + ")");
        }
        out.append(stripped.toPlainString());
    }

    private void literal(StringBuilder out, String word) {
        if (!text.startsWith(word, pos)) {
            throw error("invalid literal");
        }
        pos += word.length();
        out.append(word);
    }

    private void expect(char c) {
        if (next() != c) {
            pos--;
            throw error("expected '" + c + "'");
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private char next() {
        if (pos >= text.length()) {
            throw error("unexpected end of JSON");
        }
        return text.charAt(pos++);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private IllegalArgumentException error(String message) {
        if (path.isEmpty()) {
            return new IllegalArgumentException("invalid JSON at character " + pos + ": " + message);
        }
        StringBuilder field = new StringBuilder();
        for (String part : path) {
            if (field.length() > 0 && !part.startsWith("[")) {
                field.append('.');
            }
            field.append(part);
        }
        return new IllegalArgumentException(
                "invalid JSON at character " + pos + " (field '" + field + "'): " + message);
    }
}
