package io.eventdbx.core.internal;

import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.EventStoreException.Code;

/**
 * Rules for identifiers (aggregate types, aggregate ids, event types, event ids): 1 to 128 characters from
 * {@code A-Z a-z 0-9 - _ . : @}. The character set keeps ids safe in keys, URLs, file names and shells, and
 * rules out path traversal and the byte 0x00 that separates key parts.
 */
final class Identifiers {

    static final int MAX_LENGTH = 128;
    static final int MAX_NOTE_LENGTH = 128;

    private Identifiers() {}

    static String check(String what, String value) {
        if (value == null) {
            throw invalid(what + " is required");
        }
        if (value.isEmpty()) {
            throw invalid(
                    what + " is empty: give 1 to " + MAX_LENGTH + " characters from letters, digits and - _ . : @");
        }
        if (value.length() > MAX_LENGTH) {
            throw invalid(what + " is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == ':'
                    || c == '@';
            if (!ok) {
                throw invalid(what + " '" + printable(value) + "' contains '" + printable(String.valueOf(c))
                        + "': use letters, digits and - _ . : @");
            }
        }
        if (value.equals(".") || value.equals("..")) {
            throw invalid(what + " cannot be '" + value + "'");
        }
        return value;
    }

    static String checkNote(String note) {
        if (note != null && note.codePointCount(0, note.length()) > MAX_NOTE_LENGTH) {
            throw invalid("note is longer than " + MAX_NOTE_LENGTH + " characters");
        }
        return note;
    }

    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(64).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    static EventStoreException invalid(String message) {
        return new EventStoreException(Code.INVALID_ARGUMENT, message);
    }
}
