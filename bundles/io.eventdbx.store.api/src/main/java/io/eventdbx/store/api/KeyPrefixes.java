package io.eventdbx.store.api;

import java.util.Map;

/**
 * Every key prefix in the one key space that all bundles share: each owner's keys start with its own byte, and no
 * byte has two owners ({@code KeyPrefixesTest} checks it). A bundle that stores something new declares its byte here
 * first.
 */
public final class KeyPrefixes {

    /** Aggregate heads (version, Merkle frontier, state, archive flag); owner: io.eventdbx.core. */
    public static final byte HEAD = 'A';
    /** Events by aggregate and version; owner: io.eventdbx.core. */
    public static final byte EVENT = 'E';
    /** Versions of client-chosen event ids (idempotency); owner: io.eventdbx.core. */
    public static final byte IDEMPOTENCY = 'I';
    /** The global log by position; owner: io.eventdbx.core. */
    public static final byte LOG = 'G';
    /** Snapshots by aggregate and version; owner: io.eventdbx.core. */
    public static final byte SNAPSHOT = 'S';
    /** Staged events waiting for commit; owner: io.eventdbx.core. */
    public static final byte STAGED = 'Q';
    /** Sealed data-encryption keys; owner: io.eventdbx.crypto. */
    public static final byte KEYS = 'K';
    /** Schemas and their versions; owner: io.eventdbx.schema. */
    public static final byte SCHEMAS = 'C';
    /** Token records; owner: io.eventdbx.token. */
    public static final byte TOKENS = 'T';
    /**
     * The appends a limited token has paid for, written with each event in its batch; owner: io.eventdbx.token.
     */
    public static final byte TOKEN_WRITES = 'W';

    /** Each plugin instance's cursor over the global log; owner: io.eventdbx.emitter.dispatch. */
    public static final byte PLUGIN_CURSORS = 'P';
    /**
     * Each plugin instance's queue: events waiting for a retry and dead ones (references to the log, sealed);
     * owner: io.eventdbx.emitter.dispatch.
     */
    public static final byte PLUGIN_QUEUE = 'J';

    private KeyPrefixes() {}

    /**
     * Every declared prefix with what it holds.
     *
     * @return prefix byte to description, one entry per declared constant
     */
    public static Map<String, Byte> all() {
        return Map.ofEntries(
                Map.entry("heads", HEAD),
                Map.entry("events", EVENT),
                Map.entry("idempotency", IDEMPOTENCY),
                Map.entry("log", LOG),
                Map.entry("snapshots", SNAPSHOT),
                Map.entry("staged", STAGED),
                Map.entry("keys", KEYS),
                Map.entry("schemas", SCHEMAS),
                Map.entry("tokens", TOKENS),
                Map.entry("token writes", TOKEN_WRITES),
                Map.entry("plugin cursors", PLUGIN_CURSORS),
                Map.entry("plugin queue", PLUGIN_QUEUE));
    }
}
