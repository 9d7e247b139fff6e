package io.eventdbx.emitter.dispatch.internal;

import io.eventdbx.api.EventStore;
import io.eventdbx.crypto.api.DataProtector;
import io.eventdbx.emitter.api.EmitterFactory;
import io.eventdbx.emitter.api.PluginAdmin;
import io.eventdbx.store.api.StorageEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher as a service: its configuration PID is {@code io.eventdbx.emitter.dispatch} ({@code data_dir},
 * {@code plugin_max_attempts}, the latter applied live). Emitter types come and go with their bundles. In embedded
 * mode (a one-shot command without a server) it manages plugins and their queue but delivers nothing.
 */
@Component(
        service = PluginAdmin.class,
        configurationPid = "io.eventdbx.emitter.dispatch",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class DispatcherComponent implements PluginAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(DispatcherComponent.class);

    private final Dispatcher dispatcher;
    private final BundleContext context;
    // Emitter types are fetched on a thread of their own: a type registered while the dispatcher runs (a bundle
    // dropped into deploy/) is announced from inside its own registration, when the framework cannot give out a
    // delayed component's service yet (getService would return null). Commands wait for what is queued here.
    private final ExecutorService binder = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dbx-plugin-types");
        t.setDaemon(true);
        return t;
    });
    private final Map<ServiceReference<EmitterFactory>, EmitterFactory> bound = new ConcurrentHashMap<>();

    /**
     * Starts every configured instance.
     *
     * @param store the event store
     * @param storage where cursors and queues are kept
     * @param protector seals queued jobs
     * @param context tells the run mode
     * @param config the runtime configuration
     * @throws IOException if plugins.json or the queues cannot be read
     */
    @Activate
    public DispatcherComponent(
            @Reference EventStore store,
            @Reference StorageEngine storage,
            @Reference DataProtector protector,
            BundleContext context,
            Map<String, Object> config)
            throws IOException {
        Object dataDir = config.get("data_dir");
        Path dir = Path.of(dataDir == null ? "." : dataDir.toString());
        this.context = context;
        boolean deliver = !"embedded".equals(context.getProperty("eventdbx.mode"));
        this.dispatcher = new Dispatcher(
                store,
                new QueueStore(storage, protector),
                new PluginsFile(dir.resolve("plugins.json")),
                settings(config),
                deliver);
    }

    /**
     * Applies a changed {@code plugin_max_attempts} at once.
     *
     * @param config the configuration
     */
    @Modified
    void modified(Map<String, Object> config) {
        dispatcher.updateSettings(settings(config));
    }

    private static Settings settings(Map<String, Object> config) {
        Object attempts = config.get("plugin_max_attempts");
        int max = attempts instanceof Number n && n.intValue() > 0 ? n.intValue() : 10;
        return new Settings(max, Settings.DEFAULT_BASE_DELAY_MILLIS, Settings.DEFAULT_MAX_DELAY_MILLIS);
    }

    /**
     * An emitter type arrived.
     *
     * @param factory its factory
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFactory(ServiceReference<EmitterFactory> reference) {
        binder.execute(() -> {
            EmitterFactory factory;
            try {
                factory = context.getService(reference);
            } catch (IllegalStateException | IllegalArgumentException e) {
                return; // its bundle or this one is going away
            }
            if (factory == null) {
                LOG.warn(
                        "an emitter type from bundle {} could not be obtained (its component failed to activate?)",
                        reference.getBundle() == null
                                ? "?"
                                : reference.getBundle().getSymbolicName());
                return;
            }
            bound.put(reference, factory);
            try {
                dispatcher.addFactory(factory);
                LOG.info(
                        "plugin type {} installed (bundle {})",
                        factory.type(),
                        reference.getBundle().getSymbolicName());
            } catch (RuntimeException e) {
                LOG.error(
                        "plugin type from bundle {} could not be added",
                        reference.getBundle().getSymbolicName(),
                        e);
            }
        });
    }

    void removeFactory(ServiceReference<EmitterFactory> reference) {
        // at once, on the unregistering thread: the type's instances stop using it before its bundle stops
        EmitterFactory factory = bound.remove(reference);
        if (factory != null) {
            dispatcher.removeFactory(factory);
            LOG.info("plugin type {} removed; its instances wait for it", factory.type());
            try {
                context.ungetService(reference);
            } catch (IllegalStateException ignored) {
                // this bundle is stopping
            }
        }
    }

    /** Waits until the emitter types announced so far are added (at most 10 s). */
    private void settled() {
        try {
            binder.submit(() -> {}).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | java.util.concurrent.RejectedExecutionException e) {
            LOG.warn("emitter types are still being added: {}", e.toString());
        }
    }

    /** Stops every instance's thread and closes its emitter. */
    @Deactivate
    void deactivate() {
        binder.shutdownNow();
        dispatcher.close();
    }

    @Override
    public List<TypeInfo> types() {
        settled();
        return dispatcher.types();
    }

    @Override
    public PluginInfo configure(String type, String name, Map<String, List<String>> options, boolean disabled) {
        settled();
        return dispatcher.configure(type, name, options, disabled);
    }

    @Override
    public PluginInfo setOption(String name, String option, List<String> values) {
        settled();
        return dispatcher.setOption(name, option, values);
    }

    @Override
    public PluginInfo enable(String name) {
        settled();
        return dispatcher.enable(name);
    }

    @Override
    public PluginInfo disable(String name) {
        return dispatcher.disable(name);
    }

    @Override
    public void remove(String name) {
        dispatcher.remove(name);
    }

    @Override
    public List<PluginInfo> list() {
        settled();
        return dispatcher.list();
    }

    @Override
    public Map<String, String> test() {
        settled();
        return dispatcher.test();
    }

    @Override
    public long replay(String name, String aggregateType, String aggregateId) {
        return dispatcher.replay(name, aggregateType, aggregateId);
    }

    @Override
    public InstalledPlugin install(
            String plugin, String version, String source, String bin, String checksum, boolean force) {
        return dispatcher.install(plugin, version, source, bin, checksum, force);
    }

    @Override
    public List<QueueEntry> queue() {
        return dispatcher.queue();
    }

    @Override
    public int clearDead() {
        return dispatcher.clearDead();
    }

    @Override
    public int retry(String eventId) {
        return dispatcher.retry(eventId);
    }
}
