package io.eventdbx.control.internal;

import io.eventdbx.command.api.CommandCapability;
import io.eventdbx.command.api.DbxCommand;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Every {@link DbxCommand} service, by command word, and the commands that active bundles declare.
 *
 * <p>A command can be declared (its bundle is active) but not yet registered (its component waits for its
 * configuration, which ConfigAdmin delivers asynchronously). {@link #find} waits a bounded time for such a
 * command instead of failing with "unknown command" during start-up.
 */
@Component(service = CommandRegistry.class)
public final class CommandRegistry {

    private final BundleContext bundleContext;
    private final Map<String, Registration> commands = new ConcurrentSkipListMap<>();
    private final Object changed = new Object();

    /** A registered command with its description. */
    record Registration(DbxCommand command, String description) {}

    /**
     * Creates the registry.
     *
     * @param bundleContext for the declared capabilities of installed bundles
     */
    @Activate
    public CommandRegistry(BundleContext bundleContext) {
        this.bundleContext = bundleContext;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addCommand(DbxCommand command, Map<String, Object> properties) {
        Object name = properties.get(DbxCommand.NAME_PROPERTY);
        if (name != null) {
            Object description = properties.get(DbxCommand.DESCRIPTION_PROPERTY);
            commands.put(name.toString(), new Registration(command, description == null ? "" : description.toString()));
            synchronized (changed) {
                changed.notifyAll();
            }
        }
    }

    void removeCommand(DbxCommand command, Map<String, Object> properties) {
        Object name = properties.get(DbxCommand.NAME_PROPERTY);
        if (name != null) {
            commands.computeIfPresent(name.toString(), (key, current) -> current.command() == command ? null : current);
        }
    }

    /**
     * Finds a command, waiting up to {@code timeoutMillis} if an active bundle declares it but it is not yet
     * registered.
     *
     * @param name the command word
     * @param timeoutMillis the longest wait
     * @return the command, or empty if no bundle provides it (or it did not start in time)
     * @throws InterruptedException if interrupted while waiting
     */
    Optional<DbxCommand> find(String name, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (changed) {
            while (true) {
                Registration registration = commands.get(name);
                if (registration != null) {
                    return Optional.of(registration.command());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !declared().containsKey(name)) {
                    return Optional.empty();
                }
                TimeUnit.NANOSECONDS.timedWait(changed, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        }
    }

    /** Whether a command is declared by a bundle (active or starting). */
    boolean isDeclared(String name) {
        return declared().containsKey(name);
    }

    /**
     * Command words with their descriptions: registered commands, and declared ones that are not available
     * (described as such).
     */
    Map<String, String> describe() {
        Map<String, String> all = new TreeMap<>();
        declared().forEach((name, bundle) -> all.put(name, "(not available: provided by " + bundle + ", not active)"));
        commands.forEach((name, registration) -> all.put(name, registration.description()));
        return all;
    }

    private Map<String, String> declared() {
        Map<String, String> declared = new ConcurrentHashMap<>();
        for (Bundle bundle : bundleContext.getBundles()) {
            if ((bundle.getState() & (Bundle.ACTIVE | Bundle.STARTING)) == 0) {
                continue;
            }
            BundleRevision revision = bundle.adapt(BundleRevision.class);
            if (revision == null) {
                continue;
            }
            for (BundleCapability capability : revision.getDeclaredCapabilities(CommandCapability.NAMESPACE)) {
                Object name = capability.getAttributes().get(CommandCapability.NAMESPACE);
                if (name != null) {
                    declared.put(name.toString(), bundle.getSymbolicName());
                }
            }
        }
        return declared;
    }
}
