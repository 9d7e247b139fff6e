package io.eventdbx.shell.internal;

import io.eventdbx.command.api.CommandCapability;
import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.DbxCommand;
import io.eventdbx.command.support.CommandRunner;
import io.eventdbx.command.support.JsonOption;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code dbx status}: the running server's pid, uptime, ports, restriction mode, data directory and bundles.
 * (The launcher answers "not running" itself when no server runs.)
 */
@CommandCapability("status")
@Component(
        configurationPid = "io.eventdbx.runtime",
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {
            DbxCommand.NAME_PROPERTY + "=status",
            DbxCommand.DESCRIPTION_PROPERTY + "=Show pid, uptime, ports, restriction mode and bundles of this runtime"
        })
public final class StatusCommand implements DbxCommand {

    private final BundleContext bundleContext;
    private final CommandRunner runner = new CommandRunner();
    // endpoint name (control, http, ...) by its address, as published by the listening components
    private final Map<InetSocketAddress, String[]> endpoints = new ConcurrentHashMap<>();
    private volatile Map<String, Object> runtime;

    /**
     * Creates the command.
     *
     * @param bundleContext for the bundle list and version
     * @param runtime the runtime configuration (PID {@code io.eventdbx.runtime})
     */
    @Activate
    public StatusCommand(BundleContext bundleContext, Map<String, Object> runtime) {
        this.bundleContext = bundleContext;
        this.runtime = Map.copyOf(runtime);
    }

    @Modified
    void modified(Map<String, Object> runtime) {
        this.runtime = Map.copyOf(runtime);
    }

    @Reference(
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            target = "(eventdbx.endpoint=*)")
    void addEndpoint(InetSocketAddress address, Map<String, Object> properties) {
        endpoints.put(address, new String[] {
            String.valueOf(properties.get("eventdbx.endpoint")),
            String.valueOf(properties.getOrDefault("eventdbx.endpoint.address", address))
        });
    }

    void removeEndpoint(InetSocketAddress address) {
        endpoints.remove(address);
    }

    @Override
    public int execute(CommandContext context, List<String> args) {
        return runner.run("dbx status", new Line(), context, args);
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show the state of this runtime.")
    final class Line implements Callable<Object> {

        @Mixin
        JsonOption json;

        @Override
        public Object call() {
            Map<String, Object> config = runtime;
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("status", "running");
            status.put("pid", ProcessHandle.current().pid());
            Instant started = ProcessHandle.current().info().startInstant().orElse(Instant.now());
            status.put("started_at", started.toString());
            status.put("uptime", human(Duration.between(started, Instant.now())));
            status.put(
                    "uptime_seconds", Duration.between(started, Instant.now()).toSeconds());
            status.put("mode", config.getOrDefault("mode", "unknown"));
            status.put("port", config.get("port"));
            status.put("restrict", config.getOrDefault("restrict", "default"));
            status.put("api", apis(config));
            Map<String, Object> listeners = new TreeMap<>();
            endpoints.values().forEach(endpoint -> listeners.put(endpoint[0], endpoint[1]));
            status.put("listeners", listeners);
            status.put("data_dir", config.get("data_dir"));
            status.put("config_file", config.get("config_file"));
            Bundle[] bundles = bundleContext.getBundles();
            long active = java.util.Arrays.stream(bundles)
                    .filter(b -> b.getState() == Bundle.ACTIVE)
                    .count();
            status.put("bundles", active + " active of " + bundles.length);
            status.put("version", bundleContext.getBundle().getVersion().toString());
            return status;
        }
    }

    private static List<String> apis(Map<String, Object> config) {
        return java.util.stream.Stream.of("rest", "graphql", "grpc")
                .filter(api -> !Boolean.FALSE.equals(config.get("api." + api)))
                .toList();
    }

    static String human(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        long days = seconds / 86_400;
        long hours = (seconds % 86_400) / 3_600;
        long minutes = (seconds % 3_600) / 60;
        long secs = seconds % 60;
        StringBuilder text = new StringBuilder();
        if (days > 0) {
            text.append(days).append("d ");
        }
        if (days > 0 || hours > 0) {
            text.append(hours).append("h ");
        }
        if (days > 0 || hours > 0 || minutes > 0) {
            text.append(minutes).append("m ");
        }
        return text.append(secs).append('s').toString();
    }
}
