package io.eventdbx.shell.internal;

import io.eventdbx.command.api.DbxCommand;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Publishes every {@link DbxCommand} to the Gogo shell as {@code dbx:<name>}, so commands stay free of Gogo
 * types and there is one implementation per command. Commands that come and go (bundles updated live) appear
 * and disappear in the shell with them.
 */
@Component(immediate = true)
public final class GogoCommandBridge {

    private final BundleContext bundleContext;
    private final Map<DbxCommand, ServiceRegistration<Function>> registrations = new ConcurrentHashMap<>();
    private volatile boolean active = true;

    /**
     * Creates the bridge.
     *
     * @param bundleContext used to register the Gogo functions
     */
    @Activate
    public GogoCommandBridge(BundleContext bundleContext) {
        this.bundleContext = bundleContext;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addCommand(DbxCommand command, Map<String, Object> properties) {
        Object name = properties.get(DbxCommand.NAME_PROPERTY);
        if (name == null || !active) {
            return;
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(CommandProcessor.COMMAND_SCOPE, "dbx");
        props.put(CommandProcessor.COMMAND_FUNCTION, new String[] {name.toString()});
        registrations.put(
                command,
                bundleContext.registerService(Function.class, new GogoFunction(name.toString(), command), props));
    }

    void removeCommand(DbxCommand command) {
        ServiceRegistration<Function> registration = registrations.remove(command);
        if (registration != null) {
            unregister(registration);
        }
    }

    @Deactivate
    void deactivate() {
        active = false;
        registrations.values().forEach(GogoCommandBridge::unregister);
        registrations.clear();
    }

    private static void unregister(ServiceRegistration<Function> registration) {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping and the framework unregistered it first
        }
    }
}
