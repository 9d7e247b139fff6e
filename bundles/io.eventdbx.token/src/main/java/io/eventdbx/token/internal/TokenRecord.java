package io.eventdbx.token.internal;

import java.util.List;

/**
 * The server's record of a token; the mutable fields change under the record's lock.
 */
final class TokenRecord {
    final String id;
    final String group;
    final String user;
    final long issuedAt;
    final boolean keepAlive;
    final List<String> actions;
    final List<String> resources;
    final String issuedBy;
    long expiresAt;
    long lifetime;
    Long writeLimit;
    Long remaining;
    boolean revoked;

    TokenRecord(
            String id,
            String group,
            String user,
            long issuedAt,
            long expiresAt,
            long lifetime,
            boolean keepAlive,
            Long writeLimit,
            Long remaining,
            List<String> actions,
            List<String> resources,
            String issuedBy,
            boolean revoked) {
        this.id = id;
        this.group = group;
        this.user = user;
        this.issuedAt = issuedAt;
        this.expiresAt = expiresAt;
        this.lifetime = lifetime;
        this.keepAlive = keepAlive;
        this.writeLimit = writeLimit;
        this.remaining = remaining;
        this.actions = List.copyOf(actions);
        this.resources = List.copyOf(resources);
        this.issuedBy = issuedBy;
        this.revoked = revoked;
    }
}
