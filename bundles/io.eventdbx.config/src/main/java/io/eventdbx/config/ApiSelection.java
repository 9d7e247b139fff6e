package io.eventdbx.config;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Parses {@code --api rest|graphql|grpc|all} into the {@code [api]} settings. */
public final class ApiSelection {

    private ApiSelection() {}

    /**
     * Turns a list of surface names into the three {@code api.*} settings: the named ones on, the others off.
     *
     * @param names surface names; {@code all} enables every surface
     * @return the values of {@link Setting#API_REST}, {@link Setting#API_GRAPHQL} and {@link Setting#API_GRPC}
     * @throws ConfigException if a name is unknown or the list is empty
     */
    public static Map<Setting, Object> parse(List<String> names) {
        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        values.put(Setting.API_REST, Boolean.FALSE);
        values.put(Setting.API_GRAPHQL, Boolean.FALSE);
        values.put(Setting.API_GRPC, Boolean.FALSE);
        if (names == null || names.isEmpty()) {
            throw new ConfigException("--api needs at least one of rest, graphql, grpc, all");
        }
        for (String name : names) {
            switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "rest" -> values.put(Setting.API_REST, Boolean.TRUE);
                case "graphql" -> values.put(Setting.API_GRAPHQL, Boolean.TRUE);
                case "grpc" -> values.put(Setting.API_GRPC, Boolean.TRUE);
                case "all" -> {
                    values.put(Setting.API_REST, Boolean.TRUE);
                    values.put(Setting.API_GRAPHQL, Boolean.TRUE);
                    values.put(Setting.API_GRPC, Boolean.TRUE);
                }
                default -> throw new ConfigException(
                        "unknown API surface '" + name + "': expected rest, graphql, grpc or all");
            }
        }
        return values;
    }
}
