package io.eventdbx.shell.internal;

import io.eventdbx.command.api.CommandCapability;
import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.CommandException;
import io.eventdbx.command.api.DbxCommand;
import io.eventdbx.command.api.UsageException;
import io.eventdbx.command.support.CommandRunner;
import io.eventdbx.command.support.JsonOption;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dbx bundle list|install|start|stop|update|uninstall|refresh}: bundle management through the
 * launcher. Bundles are named by id or symbolic name. The system bundle cannot be stopped or removed here
 * ({@code dbx stop} stops the server).
 */
@CommandCapability("bundle")
@Component(
        property = {
            DbxCommand.NAME_PROPERTY + "=bundle",
            DbxCommand.DESCRIPTION_PROPERTY + "=List, install, start, stop, update, uninstall and refresh bundles"
        })
public final class BundleCommand implements DbxCommand {

    private final BundleContext bundleContext;
    private final CommandRunner runner = new CommandRunner();

    /**
     * Creates the command.
     *
     * @param bundleContext the framework to manage
     */
    @Activate
    public BundleCommand(BundleContext bundleContext) {
        this.bundleContext = bundleContext;
    }

    @Override
    public int execute(CommandContext context, List<String> args) {
        CommandLine commandLine = new CommandLine(new Root());
        for (Object sub : List.of(
                new ListBundles(),
                new Install(),
                new Start(),
                new Stop(),
                new Update(),
                new Uninstall(),
                new Refresh())) {
            commandLine.addSubcommand(sub);
        }
        return runner.run("dbx bundle", commandLine, context, args);
    }

    @Command(name = "bundle", mixinStandardHelpOptions = true, description = "Manage the runtime's bundles.")
    final class Root {}

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List installed bundles.")
    final class ListBundles implements Callable<Object> {
        @Mixin
        JsonOption json;

        @Override
        public Object call() {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Bundle bundle : bundleContext.getBundles()) {
                rows.add(describe(bundle));
            }
            return rows;
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true, description = "Install a bundle from a file or URL.")
    final class Install implements Callable<Object> {
        @Parameters(paramLabel = "<path|url>", description = "Bundle jar: a file path or a URL.")
        String location;

        @Option(names = "--start", description = "Start the bundle after installing it.")
        boolean start;

        @Mixin
        JsonOption json;

        @Override
        public Object call() {
            String url = toLocation(location);
            try (InputStream in = URI.create(url).toURL().openStream()) {
                Bundle bundle = bundleContext.installBundle(url, in);
                if (start) {
                    bundle.start();
                }
                return describe(bundle);
            } catch (BundleException | IOException e) {
                throw new CommandException("cannot install " + location + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start a bundle.")
    final class Start implements Callable<Object> {
        @Parameters(paramLabel = "<id|name>")
        String bundle;

        @Override
        public Object call() {
            Bundle target = find(bundle);
            act(target, "start", () -> target.start());
            return "started " + label(target);
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop a bundle.")
    final class Stop implements Callable<Object> {
        @Parameters(paramLabel = "<id|name>")
        String bundle;

        @Override
        public Object call() {
            Bundle target = notSystem(find(bundle), "stop");
            act(target, "stop", () -> target.stop());
            return "stopped " + label(target);
        }
    }

    @Command(
            name = "update",
            mixinStandardHelpOptions = true,
            description = "Update a bundle from its location or a new file.")
    final class Update implements Callable<Object> {
        @Parameters(index = "0", paramLabel = "<id|name>")
        String bundle;

        @Parameters(
                index = "1",
                arity = "0..1",
                paramLabel = "<path|url>",
                description = "New bundle jar (default: its location).")
        String from;

        @Override
        public Object call() {
            Bundle target = notSystem(find(bundle), "update");
            if (from == null) {
                act(target, "update", () -> target.update());
            } else {
                try (InputStream in = URI.create(toLocation(from)).toURL().openStream()) {
                    act(target, "update", () -> target.update(in));
                } catch (IOException e) {
                    throw new CommandException("cannot read " + from + ": " + e.getMessage());
                }
            }
            return "updated " + label(target) + " (run 'dbx bundle refresh' to rewire its dependents)";
        }
    }

    @Command(name = "uninstall", mixinStandardHelpOptions = true, description = "Uninstall a bundle.")
    final class Uninstall implements Callable<Object> {
        @Parameters(paramLabel = "<id|name>")
        String bundle;

        @Override
        public Object call() {
            Bundle target = notSystem(find(bundle), "uninstall");
            String label = label(target);
            act(target, "uninstall", () -> target.uninstall());
            return "uninstalled " + label;
        }
    }

    @Command(
            name = "refresh",
            mixinStandardHelpOptions = true,
            description = "Rewire bundles after updates and uninstalls.")
    final class Refresh implements Callable<Object> {
        @Override
        public Object call() throws InterruptedException {
            FrameworkWiring wiring = bundleContext.getBundle(0).adapt(FrameworkWiring.class);
            CountDownLatch done = new CountDownLatch(1);
            wiring.refreshBundles(null, event -> {
                if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED || event.getType() == FrameworkEvent.ERROR) {
                    done.countDown();
                }
            });
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new CommandException("refresh did not finish within 60 s");
            }
            return "refreshed";
        }
    }

    private interface BundleAction {
        void run() throws BundleException;
    }

    private static void act(Bundle bundle, String verb, BundleAction action) {
        try {
            action.run();
        } catch (BundleException | IllegalStateException e) {
            throw new CommandException("cannot " + verb + " " + label(bundle) + ": " + e.getMessage());
        }
    }

    private Bundle find(String idOrName) {
        try {
            Bundle bundle = bundleContext.getBundle(Long.parseLong(idOrName));
            if (bundle != null) {
                return bundle;
            }
        } catch (NumberFormatException notAnId) {
            for (Bundle bundle : bundleContext.getBundles()) {
                if (idOrName.equals(bundle.getSymbolicName())) {
                    return bundle;
                }
            }
        }
        throw new CommandException("no bundle '" + idOrName + "' (run 'dbx bundle list')");
    }

    private static Bundle notSystem(Bundle bundle, String verb) {
        if (bundle.getBundleId() == 0) {
            throw new UsageException("cannot " + verb + " the system bundle; use 'dbx stop' to stop the server");
        }
        return bundle;
    }

    private static String toLocation(String pathOrUrl) {
        try {
            URI uri = new URI(pathOrUrl);
            if (uri.getScheme() != null && uri.getScheme().length() > 1) {
                return uri.toString();
            }
        } catch (URISyntaxException notAUri) {
            // a plain path
        }
        Path path = Path.of(pathOrUrl).toAbsolutePath();
        if (!Files.isRegularFile(path)) {
            throw new UsageException("no such file: " + path);
        }
        return path.toUri().toString();
    }

    private static Map<String, Object> describe(Bundle bundle) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", bundle.getBundleId());
        row.put("state", state(bundle.getState()));
        row.put("name", bundle.getSymbolicName());
        row.put("version", bundle.getVersion().toString());
        return row;
    }

    private static String label(Bundle bundle) {
        return bundle.getSymbolicName() + " [" + bundle.getBundleId() + "]";
    }

    static String state(int state) {
        return switch (state) {
            case Bundle.ACTIVE -> "active";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.INSTALLED -> "installed";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            case Bundle.UNINSTALLED -> "uninstalled";
            default -> Integer.toString(state).toLowerCase(Locale.ROOT);
        };
    }
}
