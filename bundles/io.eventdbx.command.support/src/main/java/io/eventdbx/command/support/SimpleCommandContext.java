package io.eventdbx.command.support;

import io.eventdbx.command.api.CommandContext;
import io.eventdbx.token.api.Principal;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Objects;

/**
 * A {@link CommandContext} over given streams.
 *
 * @param out standard output
 * @param err standard error
 * @param in standard input
 * @param caller the authenticated caller
 */
public record SimpleCommandContext(PrintStream out, PrintStream err, InputStream in, Principal caller)
        implements CommandContext {

    /** Checks that nothing is null. */
    public SimpleCommandContext {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(caller, "caller");
    }
}
