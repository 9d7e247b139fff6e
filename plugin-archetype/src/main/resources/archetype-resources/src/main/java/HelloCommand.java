package ${package};

import io.eventdbx.command.api.CommandCapability;
import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.DbxCommand;
import io.eventdbx.command.api.ExitCodes;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/** A sample command: drop the built jar into <data-dir>/deploy and run 'dbx hello'. */
@CommandCapability("hello")
@Component(property = {DbxCommand.NAME_PROPERTY + "=hello", DbxCommand.DESCRIPTION_PROPERTY + "=Say hello"})
public final class HelloCommand implements DbxCommand {

    @Override
    public int execute(CommandContext context, List<String> args) {
        context.out().println("hello from " + context.caller());
        return ExitCodes.OK;
    }
}
