package io.eventdbx.token.api;

import java.util.List;

/** The actions a token can grant. {@link #ADMIN} grants every action. */
public final class Actions {

    /** Read aggregates, their events, proofs and the global log. */
    public static final String AGGREGATE_READ = "aggregate.read";
    /** Append events, create aggregates, stage and commit staged events. */
    public static final String AGGREGATE_APPEND = "aggregate.append";
    /** Archive, restore and remove aggregates. */
    public static final String AGGREGATE_ARCHIVE = "aggregate.archive";
    /** Take snapshots. */
    public static final String AGGREGATE_SNAPSHOT = "aggregate.snapshot";
    /** Read schemas. */
    public static final String SCHEMA_READ = "schema.read";
    /** Create and change schemas. */
    public static final String SCHEMA_WRITE = "schema.write";
    /** Issue, list, revoke and refresh tokens. */
    public static final String TOKEN_MANAGE = "token.manage";
    /** Install and configure plugins. */
    public static final String PLUGIN_MANAGE = "plugin.manage";
    /** Everything, including configuration, bundles and the server's lifecycle. */
    public static final String ADMIN = "admin";

    /** Every action, in documentation order. */
    public static final List<String> ALL = List.of(
            AGGREGATE_READ,
            AGGREGATE_APPEND,
            AGGREGATE_ARCHIVE,
            AGGREGATE_SNAPSHOT,
            SCHEMA_READ,
            SCHEMA_WRITE,
            TOKEN_MANAGE,
            PLUGIN_MANAGE,
            ADMIN);

    /** What a token gets when it is issued without {@code --action}: the data actions, nothing administrative. */
    public static final List<String> DEFAULT =
            List.of(AGGREGATE_READ, AGGREGATE_APPEND, AGGREGATE_ARCHIVE, AGGREGATE_SNAPSHOT, SCHEMA_READ);

    private Actions() {}

    /**
     * The resource name of an aggregate.
     *
     * @return {@code aggregate:<type>:<id>}
     */
    public static String aggregate(String type, String id) {
        return "aggregate:" + type + ":" + id;
    }
}
