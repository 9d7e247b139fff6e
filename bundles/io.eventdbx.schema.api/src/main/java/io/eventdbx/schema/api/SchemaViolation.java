package io.eventdbx.schema.api;

import java.util.Map;

/** An event does not satisfy its schema; the message names the aggregate type, event, field and rule. */
public final class SchemaViolation extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final Map<String, String> details;

    /**
     * Creates the violation.
     *
     * @param message what failed, for the writer of the event
     */
    public SchemaViolation(String message) {
        this(message, Map.of());
    }

    /**
     * Creates the violation with its facts for machines.
     *
     * @param message what failed, for the writer of the event
     * @param details {@code aggregate_type}, {@code event_type}, and where they apply {@code field} and {@code rule}
     *     (locked, undeclared_event, not_allowed, required, type, regex, length, range, enum, schema_required,
     *     locked_field)
     * @since 1.2
     */
    public SchemaViolation(String message, Map<String, String> details) {
        super(message);
        this.details = Map.copyOf(details);
    }

    /**
     * What failed, for machines: {@code aggregate_type}, {@code event_type}, {@code field}, {@code rule}.
     *
     * @return the details, possibly empty
     * @since 1.2
     */
    public Map<String, String> details() {
        return details;
    }
}
