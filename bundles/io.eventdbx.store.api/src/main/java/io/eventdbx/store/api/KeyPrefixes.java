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

    private KeyPrefixes() {}

    /**
     * Every declared prefix with what it holds.
     *
     * @return prefix byte to description, one entry per declared constant
     */
    public static Map<String, Byte> all() {
        return Map.of(
                "heads", HEAD,
                "events", EVENT,
                "idempotency", IDEMPOTENCY,
                "log", LOG,
                "snapshots", SNAPSHOT,
                "staged", STAGED,
                "keys", KEYS,
                "schemas", SCHEMAS,
                "tokens", TOKENS,
                "token writes", TOKEN_WRITES);
    }
}
