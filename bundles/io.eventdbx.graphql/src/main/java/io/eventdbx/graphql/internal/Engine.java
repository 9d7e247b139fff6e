package io.eventdbx.graphql.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import graphql.ExecutionInput;
import graphql.GraphQL;
import graphql.execution.ExecutionId;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import io.eventdbx.access.api.EventAccess;
import io.eventdbx.token.api.Principal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The executable schema: the SDL of the bundle, wired to the access service, with the limits and error codes. */
final class Engine {

    private final Resolvers resolvers;
    private final GraphQL graphql;
    // a request's id in the engine's logs; a counter, since the default (a random UUID) draws from SecureRandom on
    // every request
    private final java.util.concurrent.atomic.AtomicLong executions = new java.util.concurrent.atomic.AtomicLong();

    Engine(EventAccess door, ObjectMapper json, Limits limits) {
        this.resolvers = new Resolvers(door, json, new EventPublishers(door));
        GraphQLSchema schema =
                new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl()), resolvers.wiring());
        this.graphql = GraphQL.newGraphQL(schema)
                .instrumentation(limits.instrumentation())
                .preparsedDocumentProvider(limits.documents())
                .defaultDataFetcherExceptionHandler(new Errors())
                .build();
    }

    GraphQL graphql() {
        return graphql;
    }

    /** One request's execution: the caller in its context, its own data loaders. */
    ExecutionInput input(Principal caller, String query, Map<String, Object> variables, String operationName) {
        return ExecutionInput.newExecutionInput()
                .query(query)
                .variables(variables)
                .operationName(operationName)
                .graphQLContext(Map.of(Resolvers.CALLER, caller))
                .dataLoaderRegistry(resolvers.loaders(caller))
                .executionId(ExecutionId.from(Long.toString(executions.incrementAndGet())))
                .build();
    }

    /** The schema's text, as shipped in the bundle. */
    static String sdl() {
        try (InputStream in = Engine.class.getResourceAsStream("/surface/schema.graphqls")) {
            if (in == null) {
                throw new IllegalStateException("the bundle lacks its /surface/schema.graphqls");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bundle's GraphQL schema", e);
        }
    }
}
