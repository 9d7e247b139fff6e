package io.eventdbx.token.api;

import java.util.List;

/**
 * A token's record as the server keeps it: never the token string itself.
 *
 * @param tokenId the token's id ({@code jti})
 * @param group the holder's group
 * @param user the holder's user
 * @param status {@code active}, {@code expired} or {@code revoked}
 * @param issuedAt when it was issued, RFC 3339 UTC
 * @param expiresAt when it expires (moves forward on use for keep-alive tokens), RFC 3339 UTC
 * @param writeLimit the total number of events it may append, or null for no limit
 * @param remainingWrites how many of those are left, or null for no limit
 * @param keepAlive whether use pushes its expiry forward
 * @param actions the granted actions
 * @param resources the granted resource globs
 * @param issuedBy who issued it ({@code group:user})
 */
public record TokenInfo(
        String tokenId,
        String group,
        String user,
        String status,
        String issuedAt,
        String expiresAt,
        Long writeLimit,
        Long remainingWrites,
        boolean keepAlive,
        List<String> actions,
        List<String> resources,
        String issuedBy) {}
