package io.eventdbx.config.internal;

import io.eventdbx.config.ConfigLoader;
import io.eventdbx.config.DataDirectory;
import io.eventdbx.config.EffectiveConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns config.toml (with environment variables and the launcher's flags on top) into ConfigAdmin
 * configurations, so that every other component stays a plain DS component with a configuration PID.
 *
 * <p>Runs at activation and again whenever {@code dbx config} changes the file. A configuration is only
 * rewritten when its properties change, so unrelated components are not restarted.
 */
@Component(service = ConfigTranslator.class, immediate = true)
public final class ConfigTranslator {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigTranslator.class);

    private final ConfigurationAdmin configurationAdmin;
    // The configurations the last publish changed, by PID: what awaitApplied waits for.
    private final Map<String, Map<String, Object>> changed = new java.util.concurrent.ConcurrentHashMap<>();
    // Optional and dynamic: tells when components run with a changed configuration (see awaitApplied).
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ServiceComponentRuntime scr;

    private final DataDirectory dataDirectory;
    private final Map<String, String> flags;
    private final boolean serverMode;

    /**
     * Reads the launcher's framework properties and publishes the configuration.
     *
     * @param context this bundle's context, for the framework properties
     * @param configurationAdmin where configurations are written
     */
    @Activate
    public ConfigTranslator(BundleContext context, @Reference ConfigurationAdmin configurationAdmin) {
        this.configurationAdmin = configurationAdmin;
        String dataDir = context.getProperty(RuntimeProperties.DATA_DIR);
        String configFile = context.getProperty(RuntimeProperties.CONFIG_FILE);
        Path root = dataDir != null
                ? Path.of(dataDir)
                : Path.of(System.getProperty("user.home"), DataDirectory.DEFAULT_NAME);
        this.dataDirectory =
                new DataDirectory(root, configFile != null ? Path.of(configFile) : root.resolve("config.toml"));
        this.flags = new TreeMap<>();
        for (io.eventdbx.config.Setting setting : io.eventdbx.config.Setting.values()) {
            String value = context.getProperty(RuntimeProperties.FLAG_PREFIX + setting.key());
            if (value != null) {
                flags.put(setting.key(), value);
            }
        }
        this.serverMode = "server".equals(context.getProperty(RuntimeProperties.MODE));
        try {
            publish(load());
        } catch (RuntimeException e) {
            // The launcher validates the file before it boots; this only happens if it changed since.
            LOG.error("configuration not applied: {}", e.getMessage());
        }
    }

    /** Where this instance keeps its files. */
    public DataDirectory dataDirectory() {
        return dataDirectory;
    }

    /** Whether network listeners run (a server) or not (an embedded one-shot runtime). */
    public boolean serverMode() {
        return serverMode;
    }

    /**
     * Computes the effective configuration from the file, the environment and the launcher's flags.
     *
     * @return the configuration
     * @throws io.eventdbx.config.ConfigException if a value is invalid
     */
    public EffectiveConfig load() {
        return ConfigLoader.load(dataDirectory.config(), System.getenv(), flags);
    }

    /**
     * Writes the configuration into ConfigAdmin.
     *
     * @param config the effective configuration
     */
    public void publish(EffectiveConfig config) {
        publishOnly(config);
        awaitApplied();
    }

    private void publishOnly(EffectiveConfig config) {
        Map<String, Object> runtime = config.toProperties();
        runtime.put("data_dir", dataDirectory.root().toString());
        runtime.put("config_file", dataDirectory.configFile().toString());
        runtime.put("mode", serverMode ? "server" : "embedded");
        config.grpcListener().ifPresent(address -> runtime.put("grpc_listener", address.toString()));
        update(RuntimeProperties.RUNTIME_PID, runtime);
        // One configuration per component, with only the keys it reads: a change to one setting modifies (or, where
        // a component cannot take it live, reactivates) only the components that read it. The storage engine, keys,
        // tokens, metrics and REST read just the data directory, which does not change while the server runs.
        RuntimeProperties.COMPONENT_KEYS.forEach((pid, keys) -> {
            Map<String, Object> part = new TreeMap<>();
            for (String key : keys) {
                if (runtime.containsKey(key)) {
                    part.put(key, runtime.get(key));
                }
            }
            update(pid, part);
        });
        if (serverMode) {
            Map<String, Object> control = new TreeMap<>();
            control.put("bind_addr", config.socketBindAddress().toString());
            control.put("admin_key_file", dataDirectory.adminKeyFile().toString());
            update(RuntimeProperties.CONTROL_PID, control);
        }
    }

    private void update(String pid, Map<String, Object> properties) {
        try {
            Configuration configuration = configurationAdmin.getConfiguration(pid, "?");
            Dictionary<String, Object> current = configuration.getProperties();
            if (current != null && sameAs(current, properties)) {
                return;
            }
            configuration.update(new Hashtable<>(properties));
            changed.put(pid, properties);
        } catch (IOException e) {
            LOG.error("cannot update configuration {}: {}", pid, e.getMessage());
        }
    }

    /**
     * Waits (up to 10 s) until every component of a changed configuration runs with it: ConfigAdmin hands changes
     * to the components asynchronously, and a command that changes a setting answers once it is in force.
     */
    private void awaitApplied() {
        ServiceComponentRuntime runtime = scr;
        if (runtime == null || changed.isEmpty()) {
            changed.clear();
            return;
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        try {
            while (!applied(runtime) && System.nanoTime() < deadline) {
                Thread.sleep(5); // ConfigAdmin's delivery offers nothing to wait on
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            changed.clear();
        }
    }

    private boolean applied(ServiceComponentRuntime runtime) {
        for (ComponentDescriptionDTO description : runtime.getComponentDescriptionDTOs()) {
            for (String pid : description.configurationPid) {
                Map<String, Object> wanted = changed.get(pid);
                if (wanted == null) {
                    continue;
                }
                for (ComponentConfigurationDTO configuration : runtime.getComponentConfigurationDTOs(description)) {
                    if (configuration.state != ComponentConfigurationDTO.ACTIVE
                            && configuration.state != ComponentConfigurationDTO.SATISFIED) {
                        continue; // not running: it reads the configuration when it starts
                    }
                    for (Map.Entry<String, Object> entry : wanted.entrySet()) {
                        if (!Objects.equals(entry.getValue(), configuration.properties.get(entry.getKey()))) {
                            return false;
                        }
                    }
                }
            }
        }
        return true;
    }

    private static boolean sameAs(Dictionary<String, Object> current, Map<String, Object> wanted) {
        int counted = 0;
        for (var keys = current.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            if (key.startsWith("service.") || key.startsWith("felix.")) {
                continue;
            }
            counted++;
            if (!Objects.equals(current.get(key), wanted.get(key))) {
                return false;
            }
        }
        return counted == wanted.size();
    }
}
