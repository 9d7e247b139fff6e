package io.eventdbx.graphql.internal;

import graphql.language.Document;
import graphql.language.OperationDefinition;
import graphql.parser.Parser;
import java.util.List;

/** Which kind of operation a request runs, known before it runs (GET may run queries only). */
final class Operations {

    private Operations() {}

    /**
     * The kind of the operation a request selects.
     *
     * @param query the document
     * @param operationName the operation's name, or null when the document has one operation
     * @return its kind, or null when the document does not parse or names no such operation (execution says why)
     */
    static OperationDefinition.Operation of(String query, String operationName) {
        Document document;
        try {
            document = Parser.parse(query);
        } catch (RuntimeException e) { // InvalidSyntaxException, or a parser limit (tokens, depth)
            return null;
        }
        List<OperationDefinition> operations = document.getDefinitionsOfType(OperationDefinition.class);
        for (OperationDefinition operation : operations) {
            if (operationName == null ? operations.size() == 1 : operationName.equals(operation.getName())) {
                return operation.getOperation();
            }
        }
        return null;
    }
}
