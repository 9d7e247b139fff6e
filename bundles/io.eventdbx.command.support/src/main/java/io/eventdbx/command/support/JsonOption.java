package io.eventdbx.command.support;

import picocli.CommandLine.Option;

/**
 * The {@code --json} flag, mixed into every command that returns data
 * ({@code @Mixin JsonOption json;}). {@link CommandRunner} reads it from the parse result.
 */
public final class JsonOption {

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    /** Whether {@code --json} was given. */
    public boolean enabled() {
        return json;
    }
}
