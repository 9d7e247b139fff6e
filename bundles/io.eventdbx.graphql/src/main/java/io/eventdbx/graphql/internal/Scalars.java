package io.eventdbx.graphql.internal;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.ArrayValue;
import graphql.language.BooleanValue;
import graphql.language.FloatValue;
import graphql.language.IntValue;
import graphql.language.NullValue;
import graphql.language.ObjectField;
import graphql.language.ObjectValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.language.VariableReference;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.GraphQLScalarType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The schema's two custom scalars: {@code JSON} (any JSON value, kept as it is) and {@code Long} (64-bit). */
final class Scalars {

    private Scalars() {}

    /** Any JSON value: results are written as JSON (stored payloads and states as stored), inputs kept exact. */
    static final GraphQLScalarType JSON = GraphQLScalarType.newScalar()
            .name("JSON")
            .description("Any JSON value")
            .coercing(new Coercing<Object, Object>() {
                @Override
                public Object serialize(Object result, GraphQLContext context, Locale locale) {
                    return result;
                }

                @Override
                public Object parseValue(Object input, GraphQLContext context, Locale locale) {
                    return input; // a variable's value, already parsed from the request's JSON
                }

                @Override
                public Object parseLiteral(
                        Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
                    return literal(input, variables);
                }
            })
            .build();

    /** A signed 64-bit whole number, written as a JSON number. */
    static final GraphQLScalarType LONG = GraphQLScalarType.newScalar()
            .name("Long")
            .description("A whole number from -2^63 to 2^63-1")
            .coercing(new Coercing<Long, Long>() {
                @Override
                public Long serialize(Object result, GraphQLContext context, Locale locale) {
                    if (result instanceof Number n) {
                        return n.longValue();
                    }
                    throw new CoercingSerializeException("not a whole number");
                }

                @Override
                public Long parseValue(Object input, GraphQLContext context, Locale locale) {
                    return whole(input, CoercingParseValueException::new);
                }

                @Override
                public Long parseLiteral(
                        Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
                    if (input instanceof IntValue i) {
                        return whole(i.getValue(), CoercingParseLiteralException::new);
                    }
                    if (input instanceof StringValue s) {
                        return whole(s.getValue(), CoercingParseLiteralException::new);
                    }
                    throw new CoercingParseLiteralException("a Long must be a whole number, not " + kind(input));
                }
            })
            .build();

    private static Long whole(Object input, java.util.function.Function<String, RuntimeException> error) {
        try {
            BigInteger value;
            if (input instanceof BigInteger b) {
                value = b;
            } else if (input instanceof Integer || input instanceof Long || input instanceof Short) {
                return ((Number) input).longValue();
            } else if (input instanceof BigDecimal d) {
                value = d.toBigIntegerExact();
            } else if (input instanceof Number n) {
                value = new BigDecimal(n.toString()).toBigIntegerExact();
            } else if (input instanceof String s) {
                value = new BigInteger(s.strip());
            } else {
                throw error.apply("a Long must be a whole number");
            }
            return value.longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw error.apply("a Long must be a whole number from -2^63 to 2^63-1, not " + input);
        }
    }

    /** A literal in the query text as a plain value: objects as maps, whole numbers exact, decimals exact. */
    private static Object literal(Value<?> input, CoercedVariables variables) {
        if (input instanceof NullValue) {
            return null;
        } else if (input instanceof StringValue s) {
            return s.getValue();
        } else if (input instanceof BooleanValue b) {
            return b.isValue();
        } else if (input instanceof IntValue i) {
            return i.getValue();
        } else if (input instanceof FloatValue f) {
            return f.getValue();
        } else if (input instanceof ArrayValue a) {
            List<Object> list = new ArrayList<>();
            for (Value<?> v : a.getValues()) {
                list.add(literal(v, variables));
            }
            return list;
        } else if (input instanceof ObjectValue o) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (ObjectField field : o.getObjectFields()) {
                map.put(field.getName(), literal(field.getValue(), variables));
            }
            return map;
        } else if (input instanceof VariableReference v) {
            return variables.get(v.getName());
        }
        throw new CoercingParseLiteralException("JSON cannot hold " + kind(input));
    }

    private static String kind(Value<?> input) {
        return input.getClass().getSimpleName().replace("Value", "").toLowerCase(Locale.ROOT);
    }
}
