package io.eventdbx.graphql.internal;

import graphql.ErrorClassification;
import graphql.ErrorType;
import graphql.ExecutionResult;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.DataFetcherExceptionHandler;
import graphql.execution.DataFetcherExceptionHandlerParameters;
import graphql.execution.DataFetcherExceptionHandlerResult;
import io.eventdbx.access.api.Refusal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what a resolver threw into a GraphQL error whose {@code extensions.code} is the door's refusal code (and its
 * details), and gives the engine's own errors (syntax, validation, limits) a code too. The one place GraphQL
 * decides error codes; a message is never read to choose one, and no stack trace or class name reaches a client.
 */
final class Errors implements DataFetcherExceptionHandler {

    /** The query text is not GraphQL. */
    static final String PARSE_FAILED = "GRAPHQL_PARSE_FAILED";
    /** The query does not fit the schema (unknown field, wrong argument type, missing variable). */
    static final String VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED";
    /** Something failed that is not the caller's doing; the server log has the details under the error id. */
    static final String INTERNAL = "INTERNAL";

    private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

    @Override
    public CompletableFuture<DataFetcherExceptionHandlerResult> handleException(
            DataFetcherExceptionHandlerParameters handlerParameters) {
        Throwable failure = unwrap(handlerParameters.getException());
        GraphqlErrorBuilder<?> error = GraphqlErrorBuilder.newError()
                .location(handlerParameters.getSourceLocation())
                .path(handlerParameters.getPath());
        if (failure instanceof Refusal refusal) {
            error.message(refusal.getMessage()).errorType(ErrorType.DataFetchingException);
            error.extensions(extensions(refusal));
        } else {
            String id = UUID.randomUUID().toString();
            LOG.error("GraphQL field {} failed (error id {})", handlerParameters.getPath(), id, failure);
            error.message("the server failed to answer this field (error id " + id + ")")
                    .errorType(ErrorType.DataFetchingException)
                    .extensions(Map.of("code", INTERNAL, "error_id", id));
        }
        return CompletableFuture.completedFuture(
                DataFetcherExceptionHandlerResult.newResult(error.build()).build());
    }

    /** The code and details of a refusal, as {@code extensions}. */
    static Map<String, Object> extensions(Refusal refusal) {
        Map<String, Object> extensions = new LinkedHashMap<>();
        extensions.put("code", code(refusal.code()));
        refusal.details().forEach(extensions::putIfAbsent);
        return extensions;
    }

    /** The wire code of a refusal code: the same as REST's (a used-up write allowance is FORBIDDEN). */
    static String code(Refusal.Code code) {
        return code == Refusal.Code.WRITE_LIMIT_REACHED ? Refusal.Code.FORBIDDEN.name() : code.name();
    }

    /**
     * The error as the response writes it: the engine's errors get a code from their classification, and nothing
     * but message, locations, path and extensions is written.
     */
    static Map<String, Object> specification(GraphQLError error) {
        Map<String, Object> spec = new LinkedHashMap<>(error.toSpecification());
        Map<String, Object> extensions = new LinkedHashMap<>();
        if (error.getExtensions() != null) {
            extensions.putAll(error.getExtensions());
        }
        if (!extensions.containsKey("code")) {
            ErrorClassification type = error.getErrorType();
            extensions.put(
                    "code",
                    type == ErrorType.InvalidSyntax
                            ? PARSE_FAILED
                            : type == ErrorType.ValidationError ? VALIDATION_FAILED : INTERNAL);
        }
        extensions.remove("classification");
        spec.put("extensions", extensions);
        return spec;
    }

    /**
     * A result as a response writes it: {@code errors} (each as {@link #specification}), then {@code data} when the
     * request ran.
     */
    static Map<String, Object> response(ExecutionResult result) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!result.getErrors().isEmpty()) {
            out.put(
                    "errors",
                    result.getErrors().stream().map(Errors::specification).toList());
        }
        if (result.isDataPresent()) {
            out.put("data", result.getData());
        }
        return out;
    }

    /** Whether every error is one of a request that could not run (syntax, validation, limits). */
    static boolean requestErrors(List<GraphQLError> errors) {
        return !errors.isEmpty()
                && errors.stream()
                        .allMatch(e -> e.getErrorType() == ErrorType.InvalidSyntax
                                || e.getErrorType() == ErrorType.ValidationError
                                || e.getErrorType() == ErrorType.ExecutionAborted);
    }

    private static Throwable unwrap(Throwable failure) {
        while (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        return failure;
    }
}
