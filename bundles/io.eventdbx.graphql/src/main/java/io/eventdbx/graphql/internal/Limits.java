package io.eventdbx.graphql.internal;

import graphql.ErrorType;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.analysis.FieldComplexityCalculator;
import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.execution.AbortExecutionException;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.instrumentation.Instrumentation;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimpleInstrumentationContext;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.InlineFragment;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.schema.GraphQLList;
import graphql.schema.GraphQLNonNull;
import graphql.schema.GraphQLType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What a single request may ask for: a depth, a cost (each field 1, a list field times the page it asks for), a
 * number of aliases. Each refusal is a GraphQL error with its own {@code extensions.code} and the limit in its
 * details, before anything is read. Parsed and validated queries are kept (a bounded cache by query text), so
 * that a client repeating a query pays for parsing once.
 *
 * @param maxDepth the deepest selection allowed
 * @param maxCost the largest cost allowed
 * @param maxAliases the most aliases one document may use
 * @param assumedPage the page size a list field without {@code take} is costed at
 */
record Limits(int maxDepth, int maxCost, int maxAliases, int assumedPage) {

    /** The query nests deeper than allowed. */
    static final String TOO_DEEP = "QUERY_TOO_DEEP";
    /** The query could ask for more than allowed. */
    static final String TOO_COSTLY = "QUERY_TOO_COSTLY";
    /** The query uses more aliases than allowed. */
    static final String TOO_MANY_ALIASES = "TOO_MANY_ALIASES";

    private static final int CACHED_DOCUMENTS = 512;

    /** The depth and cost checks, run after validation and before execution. */
    Instrumentation instrumentation() {
        Instrumentation depth = new MaxQueryDepthInstrumentation(maxDepth) {
            @Override
            protected AbortExecutionException mkAbortException(int depth, int maxDepth) {
                return new Refused(
                        TOO_DEEP,
                        "the query is " + depth + " levels deep; at most " + maxDepth + " are allowed",
                        maxDepth);
            }
        };
        Instrumentation cost = new MaxQueryComplexityInstrumentation(maxCost, cost()) {
            @Override
            protected AbortExecutionException mkAbortException(int cost, int maxCost) {
                return new Refused(
                        TOO_COSTLY,
                        "the query could cost " + cost + " (a field is 1, a list field times its take); at most "
                                + maxCost + " is allowed: ask for smaller pages or fewer nested lists",
                        maxCost);
            }
        };
        return new ChainedInstrumentation(List.of(depth, cost)) {
            @Override
            public InstrumentationContext<ExecutionResult> beginExecuteOperation(
                    InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
                return introspectionOnly(parameters)
                        ? SimpleInstrumentationContext.noOp()
                        : super.beginExecuteOperation(parameters, state);
            }
        };
    }

    /**
     * Whether an operation asks only for the schema ({@code __schema}, {@code __type}, {@code __typename}): the
     * introspection query of GraphiQL and codegen tools nests 15 levels of type references. graphql-java's
     * good-faith introspection check bounds such queries instead (how often each introspection field may appear).
     */
    static boolean introspectionOnly(InstrumentationExecuteOperationParameters parameters) {
        SelectionSet selections =
                parameters.getExecutionContext().getOperationDefinition().getSelectionSet();
        return selections.getSelections().stream()
                .allMatch(s -> s instanceof Field field && field.getName().startsWith("__"));
    }

    /** Each field costs 1 and its selections; a list field's selections count once per item it may return. */
    private FieldComplexityCalculator cost() {
        return (environment, childComplexity) -> {
            long items = 1;
            if (isList(environment.getFieldDefinition().getType())) {
                Object take = environment.getArguments().get("take");
                items = take instanceof Number n ? Math.max(1, n.longValue()) : assumedPage;
            }
            return (int) Math.min(Integer.MAX_VALUE, 1 + items * childComplexity);
        };
    }

    private static boolean isList(GraphQLType type) {
        GraphQLType unwrapped = type instanceof GraphQLNonNull nonNull ? nonNull.getWrappedType() : type;
        return unwrapped instanceof GraphQLList;
    }

    /** Parsed and validated documents by query text, with the alias count checked once per text. */
    PreparsedDocumentProvider documents() {
        Map<String, PreparsedDocumentEntry> cache =
                java.util.Collections.synchronizedMap(new LinkedHashMap<>(CACHED_DOCUMENTS, 0.75f, true) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, PreparsedDocumentEntry> eldest) {
                        return size() > CACHED_DOCUMENTS;
                    }
                });
        return new PreparsedDocumentProvider() {
            @Override
            public CompletableFuture<PreparsedDocumentEntry> getDocumentAsync(
                    ExecutionInput input, Function<ExecutionInput, PreparsedDocumentEntry> parseAndValidate) {
                PreparsedDocumentEntry entry = cache.get(input.getQuery());
                if (entry == null) {
                    entry = checked(parseAndValidate.apply(input));
                    if (!entry.hasErrors()) {
                        cache.put(input.getQuery(), entry); // failures are not kept: they say which variables
                    }
                }
                return CompletableFuture.completedFuture(entry);
            }
        };
    }

    private PreparsedDocumentEntry checked(PreparsedDocumentEntry entry) {
        if (entry.hasErrors()) {
            return entry;
        }
        int aliases = aliases(entry.getDocument());
        if (aliases <= maxAliases) {
            return entry;
        }
        GraphQLError error = GraphqlErrorBuilder.newError()
                .message("the query uses " + aliases + " aliases; at most " + maxAliases + " are allowed")
                .errorType(ErrorType.ValidationError)
                .extensions(Map.of("code", TOO_MANY_ALIASES, "limit", maxAliases))
                .build();
        return new PreparsedDocumentEntry(List.of(error));
    }

    /** The aliased fields written in a document (a fragment's count once, however often it is spread). */
    static int aliases(Document document) {
        int count = 0;
        for (var definition : document.getDefinitions()) {
            if (definition instanceof OperationDefinition operation) {
                count += aliases(operation.getSelectionSet());
            } else if (definition instanceof FragmentDefinition fragment) {
                count += aliases(fragment.getSelectionSet());
            }
        }
        return count;
    }

    private static int aliases(SelectionSet selections) {
        if (selections == null) {
            return 0;
        }
        int count = 0;
        for (Selection<?> selection : selections.getSelections()) {
            if (selection instanceof Field field) {
                count += (field.getAlias() == null ? 0 : 1) + aliases(field.getSelectionSet());
            } else if (selection instanceof InlineFragment inline) {
                count += aliases(inline.getSelectionSet());
            }
        }
        return count;
    }

    /** A request refused by a limit: a GraphQL error with a code and the limit. */
    static final class Refused extends AbortExecutionException {
        private static final long serialVersionUID = 1L;
        private final transient Map<String, Object> extensions;

        Refused(String code, String message, int limit) {
            super(message);
            this.extensions = Map.of("code", code, "limit", limit);
        }

        @Override
        public Map<String, Object> getExtensions() {
            return extensions;
        }
    }
}
