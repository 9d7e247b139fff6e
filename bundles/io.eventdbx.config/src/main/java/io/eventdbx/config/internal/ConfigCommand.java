package io.eventdbx.config.internal;

import io.eventdbx.command.api.CommandCapability;
import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.DbxCommand;
import io.eventdbx.command.support.CommandRunner;
import io.eventdbx.crypto.api.KeyManagement;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** {@code dbx config}: shows the effective configuration, or validates and persists changes to it. */
@CommandCapability("config")
@Component(
        property = {
            DbxCommand.NAME_PROPERTY + "=config",
            DbxCommand.DESCRIPTION_PROPERTY + "=Show or change config.toml"
        })
public final class ConfigCommand implements DbxCommand {

    private final ConfigTranslator translator;
    private final KeyManagement keys;
    private final CommandRunner runner = new CommandRunner();

    /**
     * Creates the command.
     *
     * @param translator the owner of the effective configuration
     * @param keys sets the encryption keys ({@code --master-key}, {@code --dek}); null when the crypto bundle is
     *     not running
     */
    @Activate
    public ConfigCommand(
            @Reference ConfigTranslator translator,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
                    KeyManagement keys) {
        this.translator = translator;
        this.keys = keys;
    }

    @Override
    public int execute(CommandContext context, List<String> args) {
        return runner.run("dbx config", new ConfigCommandLine(translator, keys, context), context, args);
    }
}
