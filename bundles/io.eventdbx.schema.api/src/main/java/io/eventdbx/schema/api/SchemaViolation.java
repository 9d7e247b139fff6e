package io.eventdbx.schema.api;

/** An event does not satisfy its schema; the message names the aggregate type, event, field and rule. */
public final class SchemaViolation extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the violation.
     *
     * @param message what failed, for the writer of the event
     */
    public SchemaViolation(String message) {
        super(message);
    }
}
