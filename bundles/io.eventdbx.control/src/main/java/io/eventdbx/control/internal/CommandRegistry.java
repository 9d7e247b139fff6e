package io.eventdbx.control.internal;

import io.eventdbx.command.api.CommandCapability;
import io.eventdbx.command.api.DbxCommand;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
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
    // Service objects fetched on first use and held until the command goes away, so that a delayed
    // component is not disposed while it runs.
    private final Map<ServiceReference<DbxCommand>, DbxCommand> held = new ConcurrentHashMap<>();

    /** A registered command with its description; the service object is fetched on first use. */
    record Registration(ServiceReference<DbxCommand> reference, String description) {}

    /**
     * Creates the registry.
     *
     * @param bundleContext for the declared capabilities of installed bundles
     */
    @Activate
    public CommandRegistry(BundleContext bundleContext) {
        this.bundleContext = bundleContext;
    }

    // References, not service objects: the help command is itself a DbxCommand that needs this registry,
    // and binding objects eagerly would make DS resolve that cycle at every start.
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addCommand(ServiceReference<DbxCommand> reference) {
        Object name = reference.getProperty(DbxCommand.NAME_PROPERTY);
        if (name != null) {
            Object description = reference.getProperty(DbxCommand.DESCRIPTION_PROPERTY);
            commands.put(
                    name.toString(), new Registration(reference, description == null ? "" : description.toString()));
            synchronized (changed) {
                changed.notifyAll();
            }
        }
    }

    void removeCommand(ServiceReference<DbxCommand> reference) {
        Object name = reference.getProperty(DbxCommand.NAME_PROPERTY);
        if (name != null) {
            commands.computeIfPresent(
                    name.toString(), (key, current) -> current.reference().equals(reference) ? null : current);
        }
        release(reference);
    }

    private void release(ServiceReference<DbxCommand> reference) {
        if (held.remove(reference) != null) {
            try {
                bundleContext.ungetService(reference);
            } catch (IllegalStateException stopping) {
                // this bundle is stopping; the framework releases its services itself
            }
        }
    }

    /** Gives back every command service this registry fetched. */
    @Deactivate
    void deactivate() {
        List.copyOf(held.keySet()).forEach(this::release);
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
        while (true) {
            Registration registration = commands.get(name);
            if (registration != null) {
                DbxCommand command = serviceOf(registration.reference());
                if (command != null) {
                    return Optional.of(command);
                }
            }
            long left = deadline - System.nanoTime();
            Declaration declaration = declared().get(name);
            // Only a command of a bundle that is (being) started is worth waiting for.
            if (left <= 0 || declaration == null || !declaration.active()) {
                return Optional.empty();
            }
            synchronized (changed) {
                if (!commands.containsKey(name)) {
                    TimeUnit.NANOSECONDS.timedWait(changed, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                }
            }
        }
    }

    /**
     * The command's service object, fetched once and held. Fetching can activate a delayed DS component, i.e.
     * run foreign code, so it happens without holding any lock of this registry.
     */
    private DbxCommand serviceOf(ServiceReference<DbxCommand> reference) {
        DbxCommand command = held.get(reference);
        if (command != null) {
            return command;
        }
        command = bundleContext.getService(reference);
        if (command == null) {
            return null;
        }
        DbxCommand raced = held.putIfAbsent(reference, command);
        if (raced != null) {
            bundleContext.ungetService(reference); // another thread fetched it first: keep one use count
            return raced;
        }
        return command;
    }

    /**
     * Whether a registered command authorizes its callers itself ({@link DbxCommand#AUTHORIZES_PROPERTY}).
     *
     * @param name the command word
     */
    boolean authorizesItself(String name) {
        Registration registration = commands.get(name);
        return registration != null
                && Boolean.parseBoolean(
                        String.valueOf(registration.reference().getProperty(DbxCommand.AUTHORIZES_PROPERTY)));
    }

    /**
     * The bundle that declares a command, if any.
     *
     * @param name the command word
     * @return the declaration, or null
     */
    Declaration declaration(String name) {
        return declared().get(name);
    }

    /**
     * A bundle's declaration of a command.
     *
     * @param bundle the bundle's symbolic name
     * @param active whether the bundle is active or starting
     */
    record Declaration(String bundle, boolean active) {}

    /**
     * Command words with their descriptions: registered commands, and declared ones that are not available
     * (described as such).
     */
    Map<String, String> describe() {
        Map<String, String> all = new TreeMap<>();
        declared()
                .forEach((name, declaration) -> all.put(
                        name,
                        "(not available: " + declaration.bundle()
                                + (declaration.active()
                                        ? " is starting or its component is not satisfied)"
                                        : " is not active)")));
        commands.forEach((name, registration) -> all.put(name, registration.description()));
        return all;
    }

    private Map<String, Declaration> declared() {
        Map<String, Declaration> declared = new ConcurrentHashMap<>();
        for (Bundle bundle : bundleContext.getBundles()) {
            if ((bundle.getState() & (Bundle.ACTIVE | Bundle.STARTING | Bundle.RESOLVED)) == 0) {
                continue;
            }
            boolean active = (bundle.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0;
            BundleRevision revision = bundle.adapt(BundleRevision.class);
            if (revision == null) {
                continue;
            }
            for (BundleCapability capability : revision.getDeclaredCapabilities(CommandCapability.NAMESPACE)) {
                Object name = capability.getAttributes().get(CommandCapability.NAMESPACE);
                if (name != null) {
                    declared.merge(
                            name.toString(),
                            new Declaration(bundle.getSymbolicName(), active),
                            (a, b) -> a.active() ? a : b);
                }
            }
        }
        return declared;
    }
}
