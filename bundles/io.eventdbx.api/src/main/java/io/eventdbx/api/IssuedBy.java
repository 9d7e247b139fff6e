package io.eventdbx.api;

import java.util.Objects;

/**
 * Who wrote an event.
 *
 * @param group the writer's group
 * @param user the writer's user
 */
public record IssuedBy(String group, String user) {

    /** Checks both parts. */
    public IssuedBy {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(user, "user");
    }
}
