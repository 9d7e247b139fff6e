package io.eventdbx.emitter.process.internal;

import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.EmitterFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * {@code dbx plugin config process --name <instance> --plugin <id> --version <semver> [--arg <value>]... [--env
 * KEY=VALUE]... [--working-dir <path>]}: runs the binary that {@code dbx plugin install} unpacked to {@code
 * <data-dir>/plugins/<plugin>/<version>/<target>/} as a supervised child (one per instance, restarted with backoff
 * when it exits) and streams batches of events to it over Cap'n Proto ({@code plugin.capnp}, docs/plugins.md).
 */
@Component(
        service = EmitterFactory.class,
        configurationPid = "io.eventdbx.emitter.process",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class ProcessEmitterFactory implements EmitterFactory {

    private final Path dataDir;

    /**
     * Creates the factory.
     *
     * @param config the runtime configuration ({@code data_dir})
     */
    @Activate
    public ProcessEmitterFactory(Map<String, Object> config) {
        Object dataDir = config.get("data_dir");
        this.dataDir = Path.of(dataDir == null ? "." : dataDir.toString());
    }

    @Override
    public String type() {
        return "process";
    }

    @Override
    public String description() {
        return "An installed plugin binary run as a supervised child, fed over Cap'n Proto";
    }

    @Override
    public List<Option> options() {
        return List.of(
                new Option("plugin", "the installed plugin's id (dbx plugin install)", true, false, false, false),
                new Option("version", "the installed version to run", true, false, false, false),
                new Option("arg", "an argument for the binary (repeatable)", false, true, false, false),
                new Option("env", "KEY=VALUE in the child's environment (repeatable)", false, true, false, true),
                new Option(
                        "working-dir",
                        "the child's working directory (default: its install folder)",
                        false,
                        false,
                        false,
                        false));
    }

    @Override
    public Emitter create(String name, Map<String, List<String>> options) {
        String plugin = single(options, "plugin");
        String version = single(options, "version");
        Installed installed = Installed.resolve(dataDir, plugin, version); // checks the names, not the files
        Map<String, String> env = new LinkedHashMap<>();
        for (String pair : options.getOrDefault("env", List.of())) {
            int eq = pair.indexOf('=');
            if (eq < 1 || !pair.substring(0, eq).matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("--env must be KEY=VALUE with a variable name as KEY");
            }
            if (pair.startsWith("EVENTDBX_PLUGIN_")) {
                throw new IllegalArgumentException("--env cannot set EVENTDBX_PLUGIN_* (the server sets them)");
            }
            env.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        List<String> workingDir = options.get("working-dir");
        Path dir = workingDir == null ? null : Path.of(workingDir.get(0));
        if (dir != null && !dir.isAbsolute()) {
            throw new IllegalArgumentException("--working-dir must be an absolute path");
        }
        return new ProcessEmitter(name, installed, new ArrayList<>(options.getOrDefault("arg", List.of())), env, dir);
    }

    private static String single(Map<String, List<String>> options, String name) {
        List<String> values = options.get(name);
        if (values == null || values.isEmpty() || values.get(0).isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return values.get(0);
    }
}
