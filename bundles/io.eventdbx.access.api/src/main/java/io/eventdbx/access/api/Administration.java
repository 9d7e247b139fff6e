package io.eventdbx.access.api;

/**
 * The administrative areas a caller can be let into with {@link EventAccess#authorize}: what is not an operation on
 * events or aggregates. The door, not the surface, decides which token action each area needs (see {@code
 * docs/tokens.md}), so a surface that offers token, schema or plugin management never checks permissions itself.
 */
public enum Administration {
    /** Issuing, listing, revoking and refreshing tokens ({@code token.manage}). */
    TOKENS,
    /** Reading schemas ({@code schema.read}). */
    SCHEMA_READ,
    /** Creating and changing schemas ({@code schema.write}). */
    SCHEMA_WRITE,
    /** Installing, configuring and enabling plugins, and their delivery queue ({@code plugin.manage}). */
    PLUGINS
}
