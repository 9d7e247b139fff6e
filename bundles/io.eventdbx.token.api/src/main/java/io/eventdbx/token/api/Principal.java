package io.eventdbx.token.api;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An authenticated identity and what it may do.
 *
 * @param group the group, for example {@code admin} or {@code auditors}
 * @param user the user
 * @param tokenId the id of the token it presented, or null for the local administrator
 * @param actions the actions granted ({@link Actions}); {@link Actions#ADMIN} grants all
 * @param resources the resources granted, as globs: {@code *} matches any run of characters, {@code ?} one
 */
public record Principal(String group, String user, String tokenId, Set<String> actions, List<String> resources) {

    /** Copies the collections and checks the fields. */
    public Principal {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(user, "user");
        actions = Set.copyOf(actions);
        resources = List.copyOf(resources);
    }

    /**
     * The local administrator: authenticated by the owner-only admin credential (or running inside the server),
     * allowed everything.
     *
     * @param user who, for the record (for example the operating-system user)
     */
    public static Principal administrator(String user) {
        return new Principal("admin", user, null, Set.of(Actions.ADMIN), List.of("*"));
    }

    /** Whether it holds {@link Actions#ADMIN}. */
    public boolean isAdministrator() {
        return actions.contains(Actions.ADMIN);
    }

    /**
     * Whether an action on a resource is allowed: the action is granted (or admin is), and some granted
     * resource glob matches the resource.
     *
     * @param action an action of {@link Actions}
     * @param resource a resource such as {@code aggregate:patient:p-1}, or null for actions on no resource
     */
    public boolean allows(String action, String resource) {
        if (!isAdministrator() && !actions.contains(action)) {
            return false;
        }
        if (resource == null || isAdministrator()) {
            return true;
        }
        for (String glob : resources) {
            if (matches(glob, resource)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Refuses unless an action on a resource is allowed ({@link #allows}): the one place every surface builds
     * its "forbidden" answer.
     *
     * @param action an action of {@link Actions}
     * @param resource the resource, or null for actions on no resource
     * @throws TokenException FORBIDDEN, naming this principal, the action and the resource
     */
    public void require(String action, String resource) {
        if (!allows(action, resource)) {
            throw new TokenException(
                    TokenException.Reason.FORBIDDEN,
                    "forbidden: " + this + " may not " + action + (resource == null ? "" : " on " + resource));
        }
    }

    /**
     * Refuses unless {@link #allowsAny} (listings, which the caller then filters).
     *
     * @param action an action of {@link Actions}
     * @throws TokenException FORBIDDEN
     */
    public void requireAny(String action) {
        if (!allowsAny(action)) {
            throw new TokenException(TokenException.Reason.FORBIDDEN, "forbidden: " + this + " may not " + action);
        }
    }

    /**
     * Whether this principal could see some resource of a kind without knowing which: for listings, which it
     * then filters with {@link #allows}.
     */
    public boolean allowsAny(String action) {
        return isAdministrator() || (actions.contains(action) && !resources.isEmpty());
    }

    /**
     * Glob matching: {@code *} matches any run of characters (also none), {@code ?} exactly one, everything else
     * itself. Linear in practice: iterative with one backtrack point.
     */
    public static boolean matches(String glob, String text) {
        int g = 0;
        int t = 0;
        int star = -1;
        int mark = 0;
        while (t < text.length()) {
            if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == text.charAt(t))) {
                g++;
                t++;
            } else if (g < glob.length() && glob.charAt(g) == '*') {
                star = g++;
                mark = t;
            } else if (star >= 0) {
                g = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }

    @Override
    public String toString() {
        return group + ":" + user;
    }
}
