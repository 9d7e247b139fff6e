package io.eventdbx.core.internal;

import io.eventdbx.api.AggregateState;
import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.ConsistencyProof;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventStore;
import io.eventdbx.api.InclusionProof;
import io.eventdbx.api.Page;
import io.eventdbx.api.SnapshotRecord;
import io.eventdbx.api.StagedEvent;
import io.eventdbx.api.StoreObserver;
import io.eventdbx.api.VerifyResult;
import io.eventdbx.crypto.api.DataProtector;
import io.eventdbx.schema.api.SchemaValidator;
import io.eventdbx.store.api.StorageEngine;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * The {@link EventStore} service: an {@link EventStoreEngine} on the storage engine service, with its
 * committer threads started on activation and stopped (pending writes answered) on deactivation.
 */
@Component(
        service = EventStore.class,
        configurationPid = "io.eventdbx.core",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class EventStoreComponent implements EventStore {

    private static final Logger LOG = LoggerFactory.getLogger(EventStoreComponent.class);

    private final EventStoreEngine engine;
    private final int cachedHeads;
    private final List<StoreObserver> observers = new CopyOnWriteArrayList<>();
    // What appends and group commits report to: null when no observer is registered (the usual embedded case),
    // so an unobserved append does not even read the clock.
    private volatile StoreObserver observer;

    /**
     * Starts the store.
     *
     * @param storage the storage engine
     * @param protector encryption at rest
     * @param schemas admits events under the schemas and the restriction mode
     * @param config the runtime configuration ({@code memory_threshold} bounds the head cache)
     */
    @Activate
    public EventStoreComponent(
            @Reference StorageEngine storage,
            @Reference DataProtector protector,
            @Reference SchemaValidator schemas,
            Map<String, Object> config) {
        this.cachedHeads = cachedHeads(config);
        this.engine = new EventStoreEngine(
                storage, protector, schemas, cachedHeads, maxPayload(config), snapshotThreshold(config));
        LOG.info(
                "event store opened: log at position {}, {} heads cached at most",
                engine.durablePosition(),
                cachedHeads);
    }

    /**
     * Applies changed settings live: {@code max_payload_bytes} and {@code snapshot_threshold} at once, without
     * reopening the store; {@code memory_threshold} (the size of the head cache) at the next start.
     *
     * @param config the store's configuration
     */
    @Modified
    void modified(Map<String, Object> config) {
        engine.configure(maxPayload(config), snapshotThreshold(config));
        if (cachedHeads(config) != cachedHeads) {
            LOG.info(
                    "memory_threshold {} takes effect at the next start (the head cache holds {} now)",
                    cachedHeads(config),
                    cachedHeads);
        }
    }

    private static int cachedHeads(Map<String, Object> config) {
        Object threshold = config.get("memory_threshold");
        return threshold instanceof Number n
                ? (int) Math.min(Integer.MAX_VALUE, n.longValue())
                : EventStoreEngine.DEFAULT_CACHED_HEADS;
    }

    private static int maxPayload(Map<String, Object> config) {
        Object limit = config.get("max_payload_bytes");
        return limit instanceof Number n ? n.intValue() : EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES;
    }

    private static long snapshotThreshold(Map<String, Object> config) {
        Object every = config.get("snapshot_threshold");
        return every instanceof Number n ? n.longValue() : 0;
    }

    @Deactivate
    void deactivate() {
        engine.close();
    }

    /**
     * Adds an observer (metrics); observers come and go with their bundles.
     *
     * @param added the observer
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addObserver(StoreObserver added) {
        observers.add(added);
        rewire();
    }

    void removeObserver(StoreObserver removed) {
        observers.remove(removed);
        rewire();
    }

    private void rewire() {
        List<StoreObserver> now = List.copyOf(observers);
        StoreObserver all = now.isEmpty()
                ? null
                : now.size() == 1
                        ? now.get(0)
                        : new StoreObserver() {
                            @Override
                            public void appended(long latencyNanos) {
                                now.forEach(o -> o.appended(latencyNanos));
                            }

                            @Override
                            public void committed(int operations, long syncNanos) {
                                now.forEach(o -> o.committed(operations, syncNanos));
                            }
                        };
        observer = all;
        engine.observe(all);
    }

    @Override
    public EventRecord append(AppendRequest request) {
        StoreObserver told = observer;
        if (told == null) {
            return engine.append(request);
        }
        long started = System.nanoTime();
        EventRecord record = engine.append(request);
        try {
            told.appended(System.nanoTime() - started);
        } catch (RuntimeException e) {
            LOG.warn("a store observer failed; the append it was told about is durable", e);
        }
        return record;
    }

    @Override
    public CompletionStage<EventRecord> appendAsync(AppendRequest request) {
        return appendAsync(request, null);
    }

    @Override
    public CompletionStage<EventRecord> appendAsync(AppendRequest request, io.eventdbx.api.WriteCharge charge) {
        StoreObserver told = observer;
        if (told == null) {
            return engine.appendAsync(request, charge);
        }
        long started = System.nanoTime();
        return engine.appendAsync(request, charge).whenComplete((record, error) -> {
            if (error == null) {
                try {
                    told.appended(System.nanoTime() - started);
                } catch (RuntimeException e) {
                    LOG.warn("a store observer failed; the append it was told about is durable", e);
                }
            }
        });
    }

    @Override
    public CompletionStage<List<EventRecord>> appendAllAsync(
            List<AppendRequest> requests, io.eventdbx.api.WriteCharge charge) {
        StoreObserver told = observer;
        if (told == null) {
            return engine.appendAllAsync(requests, charge);
        }
        long started = System.nanoTime();
        return engine.appendAllAsync(requests, charge).whenComplete((records, error) -> {
            if (error == null) {
                try {
                    long each = (System.nanoTime() - started) / Math.max(1, records.size());
                    records.forEach(record -> told.appended(each));
                } catch (RuntimeException e) {
                    LOG.warn("a store observer failed; the appends it was told about are durable", e);
                }
            }
        });
    }

    @Override
    public AggregateState create(String aggregateType, String aggregateId) {
        return engine.create(aggregateType, aggregateId);
    }

    @Override
    public Optional<String> unavailableReason() {
        return engine.unavailableReason();
    }

    @Override
    public long durablePosition() {
        return engine.durablePosition();
    }

    @Override
    public io.eventdbx.api.Subscription subscribe(
            long fromPosition, java.util.function.Predicate<EventRecord> filter, io.eventdbx.api.EventSink sink) {
        return engine.subscribe(fromPosition, filter, sink);
    }

    @Override
    public Optional<AggregateState> get(String aggregateType, String aggregateId) {
        return engine.get(aggregateType, aggregateId);
    }

    @Override
    public AggregateState getAt(String aggregateType, String aggregateId, long version) {
        return engine.getAt(aggregateType, aggregateId, version);
    }

    @Override
    public Page<AggregateState> list(String cursor, long skip, int take) {
        return engine.list(cursor, skip, take);
    }

    @Override
    public Page<AggregateState> list(String aggregateType, String cursor, long skip, int take) {
        return engine.list(aggregateType, cursor, skip, take);
    }

    @Override
    public List<EventRecord> events(String aggregateType, String aggregateId, long skip, int take) {
        return engine.events(aggregateType, aggregateId, skip, take);
    }

    @Override
    public List<EventRecord> log(long fromPosition, int take) {
        return engine.log(fromPosition, take);
    }

    @Override
    public VerifyResult verify(String aggregateType, String aggregateId) {
        return engine.verify(aggregateType, aggregateId);
    }

    @Override
    public InclusionProof proveInclusion(String aggregateType, String aggregateId, long version, long treeSize) {
        return engine.proveInclusion(aggregateType, aggregateId, version, treeSize);
    }

    @Override
    public ConsistencyProof proveConsistency(
            String aggregateType, String aggregateId, long fromVersion, long toVersion) {
        return engine.proveConsistency(aggregateType, aggregateId, fromVersion, toVersion);
    }

    @Override
    public AggregateState archive(String aggregateType, String aggregateId, String comment) {
        return engine.archive(aggregateType, aggregateId, comment);
    }

    @Override
    public AggregateState restore(String aggregateType, String aggregateId, String comment) {
        return engine.restore(aggregateType, aggregateId, comment);
    }

    @Override
    public StagedEvent stage(AppendRequest request) {
        return engine.stage(request);
    }

    @Override
    public List<StagedEvent> staged() {
        return engine.staged();
    }

    @Override
    public List<EventRecord> commitStaged() {
        return engine.commitStaged();
    }

    @Override
    public SnapshotRecord snapshot(String aggregateType, String aggregateId, String comment) {
        return engine.snapshot(aggregateType, aggregateId, comment);
    }

    @Override
    public void remove(String aggregateType, String aggregateId) {
        engine.remove(aggregateType, aggregateId);
    }
}
