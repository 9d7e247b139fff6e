package io.eventdbx.token.api;

import java.util.List;

/**
 * What a new token should grant.
 *
 * @param group the holder's group
 * @param user the holder's user
 * @param expirationSeconds lifetime in seconds, or null for the default (3600)
 * @param writeLimit how many events it may append in total, or null for no limit
 * @param keepAlive whether each use pushes its expiry forward by its lifetime
 * @param actions actions to grant, or empty for {@link Actions#DEFAULT}
 * @param resources resource globs, or empty for all ({@code *})
 */
public record TokenRequest(
        String group,
        String user,
        Long expirationSeconds,
        Long writeLimit,
        boolean keepAlive,
        List<String> actions,
        List<String> resources) {

    /** Copies the lists. */
    public TokenRequest {
        actions = actions == null ? List.of() : List.copyOf(actions);
        resources = resources == null ? List.of() : List.copyOf(resources);
    }
}
