package io.eventdbx.token.internal;

import io.eventdbx.token.api.Principal;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server's record of a token; the mutable fields change under the record's lock. Authentication reads the
 * volatile ones without it: every request of a token passes here, and a shared lock on a busy two-core machine
 * made requests queue behind whichever holder the scheduler had just put to sleep.
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
    /** Who the token speaks for; immutable, so one instance serves every request. */
    final Principal principal;
    /** Set while one request writes a keep-alive extension, so the others do not wait for it. */
    final AtomicBoolean extending = new AtomicBoolean();

    volatile long expiresAt;
    volatile long lifetime;
    volatile Long writeLimit;
    /**
     * Writes granted, less those staged: what is left is this less {@link #usedAppends}. Guarded by this record;
     * stored in the record (written by the token service only).
     */
    Long granted;
    /**
     * Appends paid for, in their own batches: stored apart from the record ({@code W} keys), written only by the
     * store's group commit, so the two never overwrite each other. Guarded by this record.
     */
    long usedAppends;

    volatile boolean revoked;

    TokenRecord(
            String id,
            String group,
            String user,
            long issuedAt,
            long expiresAt,
            long lifetime,
            boolean keepAlive,
            Long writeLimit,
            Long granted,
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
        this.granted = granted;
        this.actions = List.copyOf(actions);
        this.resources = List.copyOf(resources);
        this.issuedBy = issuedBy;
        this.revoked = revoked;
        this.principal = new Principal(group, user, id, Set.copyOf(this.actions), this.resources);
    }

    /** Writes left, or null without a limit. Call with this record's lock held. */
    Long remaining() {
        return granted == null ? null : Math.max(0, granted - usedAppends);
    }
}
