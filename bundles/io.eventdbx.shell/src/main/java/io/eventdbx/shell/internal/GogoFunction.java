package io.eventdbx.shell.internal;

import io.eventdbx.command.api.DbxCommand;
import io.eventdbx.command.support.CommandInvoker;
import io.eventdbx.command.support.SimpleCommandContext;
import io.eventdbx.token.api.Principal;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;

/**
 * One {@link DbxCommand} as a Gogo function. Gogo redirects {@code System.err} to the session while a command
 * runs, so errors reach the user's session; results go to the session console. Whoever has a Gogo session
 * is the local administrator (the shell is only reachable in-process or over the authenticated control
 * socket).
 */
final class GogoFunction implements Function {

    private final String name;
    private final DbxCommand command;
    private final CommandInvoker invoker = new CommandInvoker();

    GogoFunction(String name, DbxCommand command) {
        this.name = name;
        this.command = command;
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) {
        List<String> args = new ArrayList<>(arguments.size());
        for (Object argument : arguments) {
            args.add(String.valueOf(argument));
        }
        // Only administrators get a shell (CommandDispatcher.shell), so shell commands run as one.
        SimpleCommandContext context = new SimpleCommandContext(
                session.getConsole(),
                System.err,
                session.getKeyboard(),
                Principal.administrator(System.getProperty("user.name")));
        int exit = invoker.invoke(name, command, context, args);
        session.put("dbx.exit", exit);
        return null;
    }
}
