package io.eventdbx.metrics.internal;

import io.eventdbx.api.StoreObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The server's meters in one Prometheus registry: the store reports appends and group commits to it (as a
 * {@link StoreObserver} service), the HTTP filter reports responses, and {@code /metrics} writes it out.
 */
@Component(
        service = {StoreObserver.class, StoreMetrics.class},
        configurationPid = "io.eventdbx.metrics",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class StoreMetrics implements StoreObserver {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PrometheusTextFormatWriter text = new PrometheusTextFormatWriter(false);
    private final Timer appends;
    private final Timer syncs;
    private final DistributionSummary batchSize;
    private final Map<String, Counter> responses = new ConcurrentHashMap<>();
    private final Path store;

    /**
     * Creates the meters.
     *
     * @param config the runtime configuration ({@code data_dir}, whose {@code store} folder is measured)
     */
    @Activate
    public StoreMetrics(Map<String, Object> config) {
        this.store =
                Path.of(String.valueOf(config.getOrDefault("data_dir", "."))).resolve("store");
        this.appends = Timer.builder("eventdbx.appends")
                .description("Durable appends: rate from the count, latency from call to acknowledgement")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        this.syncs = Timer.builder("eventdbx.commit.sync")
                .description("The synchronous write (WAL sync) of one group commit")
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        this.batchSize = DistributionSummary.builder("eventdbx.commit.batch.size")
                .description("Writes per group commit (one write batch, one sync)")
                .baseUnit("writes")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
                .register(registry);
        Gauge.builder("eventdbx.store.size", this, StoreMetrics::storeBytes)
                .description("Bytes on disk of the store (SST, WAL, manifest) under <data_dir>/store")
                .baseUnit("bytes")
                .register(registry);
    }

    @Deactivate
    void deactivate() {
        registry.close();
    }

    @Override
    public void appended(long latencyNanos) {
        appends.record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void committed(int operations, long syncNanos) {
        syncs.record(syncNanos, TimeUnit.NANOSECONDS);
        batchSize.record(operations);
    }

    /**
     * Counts an HTTP response.
     *
     * @param method the request method
     * @param status the response status
     */
    /** The HTTP methods that get a label of their own; every other one is counted as {@code OTHER}. */
    static final java.util.Set<String> KNOWN_METHODS =
            java.util.Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PRI");

    void responded(String requestMethod, int responseStatus) {
        // Labels come from a fixed set: a peer choosing random methods or statuses must not add a series each.
        String method = KNOWN_METHODS.contains(requestMethod) ? requestMethod : "OTHER";
        int status = responseStatus >= 100 && responseStatus <= 599 ? responseStatus : 0;
        responses
                .computeIfAbsent(method + ' ' + status, k -> Counter.builder("eventdbx.http.responses")
                        .description("HTTP responses by method and status")
                        .tag("method", method)
                        .tag("status", Integer.toString(status))
                        .register(registry))
                .increment();
    }

    /**
     * The meters in the Prometheus text format (version 0.0.4).
     *
     * @return the text, UTF-8
     */
    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            text.write(out, registry.getPrometheusRegistry().scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private double storeBytes() {
        if (!Files.isDirectory(store)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(store)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(file -> {
                        try {
                            return Files.size(file);
                        } catch (IOException e) {
                            return 0; // compaction removed it while we looked
                        }
                    })
                    .sum();
        } catch (IOException | UncheckedIOException e) {
            return Double.NaN;
        }
    }
}
