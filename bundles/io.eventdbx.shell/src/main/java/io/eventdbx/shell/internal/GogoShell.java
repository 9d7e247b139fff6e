package io.eventdbx.shell.internal;

import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.ExitCodes;
import io.eventdbx.command.api.InteractiveShell;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * A line-oriented Gogo session over a caller's streams: {@code dbx shell}. Every Gogo command is available
 * (the standard Felix {@code lb}, {@code inspect}, {@code start}, {@code stop}, {@code install},
 * {@code update}, {@code refresh}, ...) and every EventDBX command as {@code dbx:<name>}.
 *
 * <p>Line mode rather than a full terminal keeps it usable over the control socket and from scripts.
 */
@Component
public final class GogoShell implements InteractiveShell {

    static final String PROMPT = "dbx> ";

    private final CommandProcessor processor;

    /**
     * Creates the shell.
     *
     * @param processor Gogo's command processor
     */
    @Activate
    public GogoShell(@Reference CommandProcessor processor) {
        this.processor = processor;
    }

    @Override
    public int run(CommandContext context) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(context.in(), StandardCharsets.UTF_8));
        try (CommandSession session = processor.createSession(context.in(), context.out(), context.err())) {
            context.out()
                    .println("EventDBX shell (Apache Felix Gogo). 'lb' lists bundles, 'dbx:help' lists EventDBX"
                            + " commands, 'exit' leaves.");
            while (true) {
                context.out().print(PROMPT);
                context.out().flush();
                String line = reader.readLine();
                if (line == null || line.trim().equals("exit") || line.trim().equals("quit")) {
                    context.out().println();
                    return ExitCodes.OK;
                }
                if (line.isBlank()) {
                    continue;
                }
                try {
                    Object result = session.execute(line);
                    if (result != null) {
                        context.out().println(session.format(result, Converter.INSPECT));
                    }
                } catch (Exception e) {
                    context.err()
                            .println("error: "
                                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
                }
                context.out().flush();
                context.err().flush();
            }
        } catch (IOException e) {
            context.err().println("error: shell input failed: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
    }
}
