package io.eventdbx.command.support;

import io.eventdbx.access.api.Refusal;
import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.CommandException;
import io.eventdbx.command.api.ExitCodes;
import io.eventdbx.token.api.TokenException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Runs a picocli-annotated command object against a {@link CommandContext}.
 *
 * <p>The command object (and its sub-commands) return their result from {@code call()}; the runner prints it
 * with {@link OutputFormatter}, as JSON when the invoked command has a matched {@code --json} option. Parse
 * errors exit with {@link ExitCodes#USAGE}; a {@link CommandException} exits with its own code; anything else
 * is reported as an internal error with exit code {@link ExitCodes#FAILURE} and no stack trace.
 *
 * <p>A fresh command object must be passed for every invocation, since picocli stores parsed values in it.
 */
public final class CommandRunner {

    private final OutputFormatter formatter = new OutputFormatter();

    /**
     * Parses {@code args}, runs the command and prints its result.
     *
     * @param commandName the name shown in usage messages, for example {@code "dbx config"}
     * @param command a new instance of a picocli {@code @Command} class, or a picocli {@code CommandLine}
     * @param context where output goes
     * @param args the arguments after the command word
     * @return the exit code
     */
    public int run(String commandName, Object command, CommandContext context, List<String> args) {
        Objects.requireNonNull(context, "context");
        PrintWriter out = new PrintWriter(context.out(), true);
        PrintWriter err = new PrintWriter(context.err(), true);
        // A pre-built picocli CommandLine is accepted too, for commands whose sub-commands need constructor state.
        CommandLine commandLine = command instanceof CommandLine built ? built : new CommandLine(command);
        commandLine.setCommandName(commandName);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setParameterExceptionHandler((ex, ignoredArgs) -> {
            err.println("error: " + ex.getMessage());
            err.println("Run '" + ex.getCommandLine().getCommandName() + " --help' for usage.");
            return ExitCodes.USAGE;
        });
        commandLine.setExecutionExceptionHandler((ex, cl, parseResult) -> reportFailure(ex, err));
        commandLine.setExecutionStrategy(parseResult -> execute(parseResult, context));
        try {
            return commandLine.execute(args.toArray(String[]::new));
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int execute(ParseResult parseResult, CommandContext context) {
        int helpExit = CommandLine.executeHelpRequest(parseResult) == null ? -1 : ExitCodes.OK;
        if (helpExit >= 0) {
            return helpExit;
        }
        ParseResult leaf = parseResult;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        Object userObject = leaf.commandSpec().userObject();
        if (!(userObject instanceof java.util.concurrent.Callable<?> callable)) {
            // A group command invoked without a sub-command: show what it offers.
            leaf.commandSpec().commandLine().usage(context.err());
            return ExitCodes.USAGE;
        }
        Object result;
        try {
            result = callable.call();
        } catch (CommandLine.ParameterException e) {
            throw e;
        } catch (Exception e) {
            throw new CommandLine.ExecutionException(leaf.commandSpec().commandLine(), e.getMessage(), e);
        }
        if (result instanceof Integer exit) {
            return exit;
        }
        boolean json = leaf.hasMatchedOption("--json") && Boolean.TRUE.equals(leaf.matchedOptionValue("--json", false));
        formatter.print(result, json, context.out());
        return ExitCodes.OK;
    }

    /**
     * The exit code of each refusal of the door: the one place the launcher's commands decide it. Bad input
     * (including a payload that breaks its schema or its size limit) is a usage error; no or a refused token is
     * unauthenticated; an action the token does not allow, or a spent allowance, is denied; everything else is a
     * failure.
     *
     * @param code the refusal's code
     * @return the exit code
     */
    public static int exitCode(Refusal.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, SCHEMA_VIOLATION, PAYLOAD_TOO_LARGE -> ExitCodes.USAGE;
            case UNAUTHENTICATED -> ExitCodes.UNAUTHENTICATED;
            case FORBIDDEN, WRITE_LIMIT_REACHED -> ExitCodes.DENIED;
            case NOT_FOUND, CONFLICT, NOT_EMPTY, ARCHIVED, INTEGRITY, UNAVAILABLE -> ExitCodes.FAILURE;
        };
    }

    private static int reportFailure(Exception ex, PrintWriter err) {
        if (ex instanceof CommandException ce) {
            err.println("error: " + ce.getMessage());
            return ce.exitCode();
        }
        if (ex instanceof Refusal refusal) {
            err.println("error: " + refusal.getMessage());
            return exitCode(refusal.code());
        }
        if (ex instanceof TokenException te) {
            err.println("error: " + te.getMessage());
            return switch (te.reason()) {
                case UNAUTHENTICATED -> ExitCodes.UNAUTHENTICATED;
                case FORBIDDEN, WRITE_LIMIT_REACHED -> ExitCodes.DENIED;
                case INVALID -> ExitCodes.USAGE;
                case UNAVAILABLE -> ExitCodes.FAILURE;
            };
        }
        String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        err.println("error: " + message);
        return ExitCodes.FAILURE;
    }
}
