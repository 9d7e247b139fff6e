package io.eventdbx.command.api;

import java.util.Objects;

/**
 * The authenticated identity on whose behalf a command runs.
 *
 * <p>Every command has a caller: the local administrator (authenticated by the owner-only admin credential in
 * the data directory, or by running inside the server process) or, once tokens exist, a token holder.
 * Anonymous callers never reach a command.
 *
 * @param group the caller's group, for example {@code admin}
 * @param user the caller's user name
 * @param administrator whether the caller holds the local administrator credential
 */
public record Caller(String group, String user, boolean administrator) {

    /** The identity of the local administrator, used for the admin credential and in-process shells. */
    public static final Caller LOCAL_ADMIN = new Caller("admin", "local-admin", true);

    /**
     * Validates the fields.
     *
     * @throws NullPointerException if group or user is null
     */
    public Caller {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(user, "user");
    }

    @Override
    public String toString() {
        return group + ":" + user;
    }
}
