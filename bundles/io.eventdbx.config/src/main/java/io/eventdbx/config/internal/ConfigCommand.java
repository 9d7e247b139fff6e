package io.eventdbx.config.internal;

import io.eventdbx.command.api.CommandCapability;
import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.DbxCommand;
import io.eventdbx.command.support.CommandRunner;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code dbx config}: shows the effective configuration, or validates and persists changes to it. */
@CommandCapability("config")
@Component(
        property = {
            DbxCommand.NAME_PROPERTY + "=config",
            DbxCommand.DESCRIPTION_PROPERTY + "=Show or change config.toml"
        })
public final class ConfigCommand implements DbxCommand {

    private final ConfigTranslator translator;
    private final CommandRunner runner = new CommandRunner();

    /**
     * Creates the command.
     *
     * @param translator the owner of the effective configuration
     */
    @Activate
    public ConfigCommand(@Reference ConfigTranslator translator) {
        this.translator = translator;
    }

    @Override
    public int execute(CommandContext context, List<String> args) {
        return runner.run("dbx config", new ConfigCommandLine(translator, context), context, args);
    }
}
