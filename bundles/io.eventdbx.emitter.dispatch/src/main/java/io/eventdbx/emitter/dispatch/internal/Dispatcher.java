package io.eventdbx.emitter.dispatch.internal;

import io.eventdbx.api.AggregateState;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventStore;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.api.Page;
import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.EmitterFactory;
import io.eventdbx.emitter.api.Envelope;
import io.eventdbx.emitter.api.PluginAdmin;
import io.eventdbx.emitter.api.PluginException;
import io.eventdbx.emitter.api.PluginException.Reason;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin dispatcher: the instances of {@code plugins.json}, each with its own delivery thread ({@link Instance}),
 * the emitter types installed now, and what the commands ask of them. Instances whose type is not installed wait
 * (their cursor stays, nothing is lost) and start delivering when a bundle brings the type.
 */
final class Dispatcher implements PluginAdmin, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int REPLAY_PAGE = 1000;

    private final EventStore store;
    private final QueueStore queue;
    private final PluginsFile file;
    private final boolean deliver;
    private final Envelopes envelopes = new Envelopes();
    private final Installer installer;
    private final Map<String, EmitterFactory> factories = new ConcurrentHashMap<>();
    private final Map<String, PluginConfig> configs = new LinkedHashMap<>(); // guarded by this
    private final Map<String, Instance> instances = new ConcurrentHashMap<>();
    private final Map<String, String> configErrors = new ConcurrentHashMap<>();
    private volatile Settings settings;

    /**
     * Starts every instance of the file.
     *
     * @param deliver false in embedded mode: a one-shot command manages plugins but delivers nothing
     */
    Dispatcher(EventStore store, QueueStore queue, PluginsFile file, Settings settings, boolean deliver)
            throws IOException {
        this.store = store;
        this.queue = queue;
        this.file = file;
        this.settings = settings;
        this.deliver = deliver;
        this.installer = new Installer(file.path().toAbsolutePath().getParent());
        synchronized (this) {
            configs.putAll(file.load());
            for (PluginConfig config : configs.values()) {
                startInstance(config);
            }
        }
    }

    void updateSettings(Settings next) {
        settings = next;
    }

    // ------------------------------------------------------------------ emitter types

    synchronized void addFactory(EmitterFactory factory) {
        factories.put(factory.type(), factory);
        for (PluginConfig config : configs.values()) {
            if (config.type().equals(factory.type())) {
                attach(config);
            }
        }
    }

    synchronized void removeFactory(EmitterFactory factory) {
        if (!factories.remove(factory.type(), factory)) {
            return;
        }
        for (PluginConfig config : configs.values()) {
            Instance instance = instances.get(config.name());
            if (config.type().equals(factory.type()) && instance != null) {
                instance.setEmitter(null); // deliveries wait in the queue until the type comes back
            }
        }
    }

    /** Gives an enabled instance an emitter of its type (a disabled one has none: a process plugin stops). */
    private void attach(PluginConfig config) {
        Instance instance = instances.get(config.name());
        EmitterFactory factory = factories.get(config.type());
        if (instance == null) {
            return;
        }
        if (factory == null || !config.enabled()) {
            instance.setEmitter(null);
            return;
        }
        try {
            instance.setEmitter(factory.create(config.name(), config.options()));
            configErrors.remove(config.name());
        } catch (RuntimeException e) {
            configErrors.put(config.name(), "its options do not fit type " + config.type() + ": " + e.getMessage());
            instance.setEmitter(null);
        }
    }

    private void startInstance(PluginConfig config) {
        Instance instance =
                new Instance(config.name(), config.enabled(), store, queue, envelopes, () -> settings, deliver);
        instances.put(config.name(), instance);
        instance.start();
        attach(config);
    }

    // ------------------------------------------------------------------ PluginAdmin

    @Override
    public List<TypeInfo> types() {
        return factories.values().stream()
                .sorted(Comparator.comparing(EmitterFactory::type))
                .map(f -> new TypeInfo(f.type(), f.description(), List.copyOf(f.options())))
                .toList();
    }

    @Override
    public synchronized PluginInfo configure(
            String type, String name, Map<String, List<String>> options, boolean disabled) {
        requireName(name);
        EmitterFactory factory = factories.get(type);
        if (factory == null) {
            throw new PluginException(
                    Reason.INVALID_ARGUMENT,
                    "there is no plugin type '" + printable(type) + "'; installed types: "
                            + String.join(", ", new TreeMap<>(factories).keySet()));
        }
        PluginConfig existing = configs.get(name);
        if (existing != null && !existing.type().equals(type)) {
            throw new PluginException(
                    Reason.CONFLICT,
                    "plugin " + name + " is of type " + existing.type() + ", not " + type
                            + "; remove it first or choose another --name");
        }
        Map<String, List<String>> checked = checkOptions(factory, options);
        try (Emitter probe = factory.create(name, checked)) {
            // made only to let the factory check the options; it connects nowhere
        } catch (IllegalArgumentException e) {
            throw new PluginException(Reason.INVALID_ARGUMENT, e.getMessage());
        }
        boolean enabled = existing == null ? !disabled : existing.enabled() && !disabled;
        PluginConfig config = new PluginConfig(name, type, enabled, checked);
        Map<String, PluginConfig> next = new LinkedHashMap<>(configs);
        next.put(name, config);
        save(next);
        configs.put(name, config);
        if (existing == null) {
            startInstance(config);
        } else {
            instances.get(name).setEnabled(enabled);
            attach(config);
        }
        return info(config);
    }

    /** The factory of an instance's type; refused while the type's bundle is not there. */
    private EmitterFactory installedFactory(PluginConfig config) {
        EmitterFactory factory = factories.get(config.type());
        if (factory == null) {
            throw new PluginException(
                    Reason.UNAVAILABLE,
                    "plugin " + config.name() + " is of type " + config.type() + ", which is not installed now");
        }
        return factory;
    }

    @Override
    public synchronized PluginInfo setOption(String name, String option, List<String> values) {
        PluginConfig config = existing(name);
        EmitterFactory factory = installedFactory(config);
        if (factory.options().stream().noneMatch(o -> o.name().equals(option))) {
            throw new PluginException(
                    Reason.INVALID_ARGUMENT,
                    "plugin " + name + " (type " + config.type() + ") has no option --" + printable(option));
        }
        Map<String, List<String>> options = new LinkedHashMap<>(config.options());
        if (values.isEmpty()) {
            options.remove(option);
        } else {
            options.put(option, List.copyOf(values));
        }
        return configure(config.type(), name, options, !config.enabled());
    }

    @Override
    public synchronized PluginInfo enable(String name) {
        PluginConfig config = existing(name);
        EmitterFactory factory = installedFactory(config);
        try (Emitter probe = factory.create(name, config.options())) {
            probe.check();
        } catch (IllegalArgumentException e) {
            throw new PluginException(Reason.INVALID_ARGUMENT, e.getMessage());
        } catch (Exception e) {
            throw new PluginException(
                    Reason.UNAVAILABLE,
                    "plugin " + name + " was not enabled: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        return setEnabled(config, true);
    }

    @Override
    public synchronized PluginInfo disable(String name) {
        return setEnabled(existing(name), false);
    }

    private PluginInfo setEnabled(PluginConfig config, boolean flag) {
        PluginConfig next = config.withEnabled(flag);
        Map<String, PluginConfig> all = new LinkedHashMap<>(configs);
        all.put(next.name(), next);
        save(all);
        configs.put(next.name(), next);
        instances.get(next.name()).setEnabled(flag);
        attach(next);
        return info(next);
    }

    @Override
    public synchronized void remove(String name) {
        PluginConfig config = existing(name);
        if (config.enabled()) {
            throw new PluginException(
                    Reason.CONFLICT, "plugin " + name + " is enabled; run dbx plugin disable " + name + " first");
        }
        Map<String, PluginConfig> all = new LinkedHashMap<>(configs);
        all.remove(name);
        save(all);
        configs.remove(name);
        Instance instance = instances.remove(name);
        if (instance != null) {
            instance.close();
        }
        configErrors.remove(name);
        try {
            queue.removeAll(name);
        } catch (IOException e) {
            throw new PluginException(
                    Reason.UNAVAILABLE,
                    "plugin " + name + " was removed but its queue could not be: " + e.getMessage());
        }
    }

    @Override
    public synchronized List<PluginInfo> list() {
        List<PluginInfo> out = new ArrayList<>();
        for (PluginConfig config : configs.values()) {
            out.add(info(config));
        }
        return out;
    }

    @Override
    public Map<String, String> test() {
        Map<String, String> out = new TreeMap<>();
        List<PluginConfig> enabled;
        synchronized (this) {
            enabled = configs.values().stream().filter(PluginConfig::enabled).toList();
        }
        EventRecord sample = new EventRecord(
                "dbx-test",
                "test",
                "plugin-test",
                "{\"test\":true}",
                java.util.UUID.randomUUID().toString(),
                Instant.now().toString(),
                new IssuedBy("system", "dbx"),
                "dbx plugin test",
                null,
                1,
                0,
                "0".repeat(64),
                "0".repeat(64));
        Envelope envelope = envelopes.of(sample);
        for (PluginConfig config : enabled) {
            Instance instance = instances.get(config.name());
            if (!factories.containsKey(config.type()) || instance == null) {
                out.put(config.name(), "type " + config.type() + " is not installed");
                continue;
            }
            // through the instance's own emitter, on its thread (a process plugin's running child, a tcp
            // plugin's open connection), outside its queue
            try {
                Delivery d = instance.call(() -> {
                    Emitter emitter = instance.ready(instance.emitter());
                    if (emitter == null) {
                        return Delivery.retry(0, null, configErrors.getOrDefault(config.name(), "no emitter"));
                    }
                    return emitter.deliver(List.of(envelope));
                });
                out.put(
                        config.name(),
                        d.outcome() == Delivery.Outcome.DELIVERED && d.delivered() == 1
                                ? "ok"
                                : "failed: " + d.reason());
            } catch (RuntimeException e) {
                out.put(config.name(), "failed: " + e.getMessage());
            }
        }
        return out;
    }

    @Override
    public long replay(String name, String aggregateType, String aggregateId) {
        Instance instance;
        synchronized (this) {
            existing(name);
            instance = instances.get(name);
        }
        if (aggregateType == null || aggregateType.isBlank()) {
            throw new PluginException(Reason.INVALID_ARGUMENT, "an aggregate type is required");
        }
        List<EventRecord> events = new ArrayList<>();
        try {
            if (aggregateId != null) {
                if (store.get(aggregateType, aggregateId).isEmpty()) {
                    throw new PluginException(
                            Reason.NOT_FOUND, "there is no aggregate " + aggregateType + "/" + aggregateId);
                }
                collect(aggregateType, aggregateId, events);
            } else {
                String cursor = null;
                do {
                    Page<AggregateState> page = store.list(cursor, 0, REPLAY_PAGE);
                    for (AggregateState state : page.items()) {
                        if (state.aggregateType().equals(aggregateType)) {
                            collect(aggregateType, state.aggregateId(), events);
                        }
                    }
                    cursor = page.nextCursor();
                } while (cursor != null);
            }
        } catch (EventStoreException e) {
            throw new PluginException(Reason.UNAVAILABLE, e.getMessage());
        }
        events.sort(Comparator.comparingLong(EventRecord::position));
        try {
            return instance.call(() -> instance.replay(events));
        } catch (IllegalArgumentException e) {
            throw new PluginException(Reason.INVALID_ARGUMENT, e.getMessage());
        } catch (IllegalStateException e) {
            throw new PluginException(Reason.UNAVAILABLE, e.getMessage());
        }
    }

    private void collect(String type, String id, List<EventRecord> into) {
        long skip = 0;
        while (true) {
            List<EventRecord> page = store.events(type, id, skip, REPLAY_PAGE);
            into.addAll(page);
            if (page.size() < REPLAY_PAGE) {
                return;
            }
            skip += page.size();
            if (into.size() > Instance.MAX_PENDING) {
                throw new PluginException(
                        Reason.INVALID_ARGUMENT,
                        "more than " + Instance.MAX_PENDING + " events to replay; replay one aggregate at a time");
            }
        }
    }

    @Override
    public InstalledPlugin install(
            String plugin, String version, String source, String bin, String checksum, boolean force) {
        return installer.install(plugin, version, source, bin, checksum, force);
    }

    @Override
    public List<QueueEntry> queue() {
        List<QueueEntry> out = new ArrayList<>();
        List<String> names;
        synchronized (this) {
            names = new ArrayList<>(configs.keySet());
        }
        for (String name : names) {
            try {
                for (Job job : queue.jobs(name)) {
                    out.add(new QueueEntry(
                            name,
                            job.position,
                            job.eventId,
                            job.aggregateType,
                            job.aggregateId,
                            job.version,
                            job.dead ? "dead" : "pending",
                            job.attempts,
                            job.dead
                                    ? null
                                    : Instant.ofEpochMilli(Math.max(job.nextAttemptMillis, 0))
                                            .toString(),
                            job.lastError));
                }
            } catch (IOException e) {
                throw new PluginException(Reason.UNAVAILABLE, "the queue cannot be read: " + e.getMessage());
            }
        }
        return out;
    }

    @Override
    public int clearDead() {
        int cleared = 0;
        for (Instance instance : new ArrayList<>(instances.values())) {
            cleared += onThread(instance, instance::clearDead);
        }
        return cleared;
    }

    @Override
    public int retry(String eventId) {
        int revived = 0;
        for (Instance instance : new ArrayList<>(instances.values())) {
            revived += onThread(instance, () -> instance.retryDead(eventId));
        }
        return revived;
    }

    private static int onThread(Instance instance, java.util.concurrent.Callable<Integer> task) {
        try {
            return instance.call(task);
        } catch (IllegalStateException e) {
            throw new PluginException(Reason.UNAVAILABLE, e.getMessage());
        }
    }

    @Override
    public void close() {
        for (Instance instance : instances.values()) {
            instance.close();
        }
        instances.clear();
    }

    // ------------------------------------------------------------------ helpers

    private PluginInfo info(PluginConfig config) {
        Instance instance = instances.get(config.name());
        long durable;
        try {
            durable = store.durablePosition();
        } catch (EventStoreException e) {
            durable = 0;
        }
        String configError = configErrors.get(config.name());
        String status;
        if (!config.enabled()) {
            status = "disabled";
        } else if (!factories.containsKey(config.type())) {
            status = "waiting";
        } else if (configError != null) {
            status = "misconfigured";
        } else if (instance != null && instance.failing()) {
            status = "failing";
        } else {
            status = "running";
        }
        long position = instance == null ? 0 : instance.position();
        return new PluginInfo(
                config.name(),
                config.type(),
                config.enabled(),
                status,
                masked(config),
                position,
                Math.max(0, durable - position + 1),
                instance == null ? 0 : instance.pendingCount(),
                instance == null ? 0 : instance.deadCount(),
                configError != null ? configError : instance == null ? null : instance.lastError());
    }

    /** Options with secret values masked: a header keeps its name, other secrets show nothing. */
    private Map<String, List<String>> masked(PluginConfig config) {
        EmitterFactory factory = factories.get(config.type());
        Map<String, List<String>> out = new TreeMap<>();
        config.options().forEach((option, values) -> {
            boolean secret = factory == null
                    || factory.options().stream().anyMatch(o -> o.name().equals(option) && o.secret());
            out.put(option, secret ? values.stream().map(Dispatcher::mask).toList() : values);
        });
        return out;
    }

    private static String mask(String value) {
        int eq = value.indexOf('=');
        return eq > 0 ? value.substring(0, eq + 1) + "***" : "***";
    }

    private Map<String, List<String>> checkOptions(EmitterFactory factory, Map<String, List<String>> options) {
        Map<String, EmitterFactory.Option> declared = new LinkedHashMap<>();
        factory.options().forEach(o -> declared.put(o.name(), o));
        Map<String, List<String>> out = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : options.entrySet()) {
            EmitterFactory.Option option = declared.get(e.getKey());
            if (option == null) {
                throw new PluginException(
                        Reason.INVALID_ARGUMENT,
                        "plugin type " + factory.type() + " has no option --" + printable(e.getKey()) + "; it takes "
                                + (declared.isEmpty() ? "none" : "--" + String.join(", --", declared.keySet())));
            }
            if (!option.repeatable() && e.getValue().size() > 1) {
                throw new PluginException(Reason.INVALID_ARGUMENT, "--" + option.name() + " may be given only once");
            }
            out.put(e.getKey(), List.copyOf(e.getValue()));
        }
        for (EmitterFactory.Option option : declared.values()) {
            if (option.required() && !out.containsKey(option.name())) {
                throw new PluginException(
                        Reason.INVALID_ARGUMENT,
                        "plugin type " + factory.type() + " needs --" + option.name() + " (" + option.description()
                                + ")");
            }
        }
        return out;
    }

    private PluginConfig existing(String name) {
        requireName(name);
        PluginConfig config = configs.get(name);
        if (config == null) {
            throw new PluginException(Reason.NOT_FOUND, "there is no plugin named " + name + "; see dbx plugin list");
        }
        return config;
    }

    private static void requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new PluginException(
                    Reason.INVALID_ARGUMENT,
                    "a plugin name is 1 to 64 letters, digits, '.', '_' or '-' and starts with a letter or digit, got '"
                            + printable(name == null ? "" : name) + "'");
        }
    }

    private void save(Map<String, PluginConfig> next) {
        try {
            file.save(next);
        } catch (IOException e) {
            LOG.error("cannot write {}", file.path(), e);
            throw new PluginException(Reason.UNAVAILABLE, "cannot write " + file.path() + ": " + e.getMessage());
        }
    }

    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < 64; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
