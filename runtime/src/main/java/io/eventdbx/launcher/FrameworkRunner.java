package io.eventdbx.launcher;

import io.eventdbx.config.DataDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Boots the OSGi framework with the bundles of the selected features and stops it again.
 *
 * <p>The framework cache is wiped at every boot and bundles are installed by reference from the
 * distribution's {@code bundle/} folder (no copies), so a boot always runs exactly the shipped set. The
 * database itself lives in the data directory, never in the cache.
 */
final class FrameworkRunner {

    private final Distribution distribution;
    private final DataDirectory dataDirectory;
    private final String mode;
    private final Map<String, String> flags;
    private Framework framework;
    // SPI Fly logs every provider it wires through java.util.logging at INFO; keep a reference so the
    // level is not lost when the logger is garbage-collected.
    private final java.util.logging.Logger spiFlyLogger = java.util.logging.Logger.getLogger("org.apache.aries.spifly");

    /**
     * @param distribution where the bundles and features are
     * @param dataDirectory the instance's files
     * @param mode {@code server} or {@code embedded}
     * @param flags settings given as command-line flags, by key, passed on as {@code eventdbx.flag.<key>}
     */
    private final Map<String, String> extra = new HashMap<>();

    FrameworkRunner(Distribution distribution, DataDirectory dataDirectory, String mode, Map<String, String> flags) {
        this.distribution = distribution;
        this.dataDirectory = dataDirectory;
        this.mode = mode;
        this.flags = flags;
        spiFlyLogger.setLevel(java.util.logging.Level.WARNING);
    }

    /**
     * Starts the framework and every bundle of the features, in start order.
     *
     * @param features the features to run
     * @return the framework's bundle context
     * @throws LauncherException if a bundle is missing or does not start
     */
    /** Sets a framework property for the next {@link #boot} (for example the HTTP port of Felix HTTP). */
    void frameworkProperty(String key, String value) {
        extra.put(key, value);
    }

    BundleContext boot(List<Feature> features) {
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, dataDirectory.frameworkCache().toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        props.put("felix.log.level", "1");
        props.put("eventdbx.data.dir", dataDirectory.root().toString());
        props.put("eventdbx.config.file", dataDirectory.configFile().toString());
        props.put("eventdbx.mode", mode);
        props.putAll(extra);
        flags.forEach((key, value) -> props.put("eventdbx.flag." + key, value));
        props.put("felix.fileinstall.dir", dataDirectory.deployDir().toString());
        props.put("felix.fileinstall.poll", "1000");
        props.put("felix.fileinstall.noInitialDelay", "true");
        props.put("felix.fileinstall.log.level", "2");
        try {
            framework = ServiceLoader.load(FrameworkFactory.class)
                    .findFirst()
                    .orElseThrow(() -> new LauncherException("no OSGi framework on the class path"))
                    .newFramework(props);
            framework.init();
            List<Bundle> started = new ArrayList<>();
            for (Feature.BundleRef ref : ordered(features)) {
                Path jar = distribution.bundleDir().resolve(ref.fileName());
                if (!Files.isRegularFile(jar)) {
                    throw new LauncherException("bundle " + ref.fileName() + " of the distribution is missing from "
                            + distribution.bundleDir());
                }
                Bundle bundle = framework.getBundleContext().installBundle("reference:" + jar.toUri());
                started.add(bundle);
            }
            framework.start();
            for (Bundle bundle : started) {
                if (!isFragment(bundle)) {
                    bundle.start();
                }
            }
            List<String> notActive = new ArrayList<>();
            for (Bundle bundle : started) {
                if (!isFragment(bundle) && bundle.getState() != Bundle.ACTIVE) {
                    notActive.add(bundle.getSymbolicName());
                }
            }
            if (!notActive.isEmpty()) {
                throw new LauncherException("bundles did not start: " + notActive);
            }
            return framework.getBundleContext();
        } catch (BundleException e) {
            stop();
            throw new LauncherException("the runtime failed to start: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    private static List<Feature.BundleRef> ordered(List<Feature> features) {
        Map<String, Feature.BundleRef> unique = new LinkedHashMap<>();
        features.forEach(feature -> feature.bundles().forEach(ref -> unique.putIfAbsent(ref.fileName(), ref)));
        List<Feature.BundleRef> refs = new ArrayList<>(unique.values());
        refs.sort(Comparator.comparingInt(Feature.BundleRef::startOrder));
        return refs;
    }

    private static boolean isFragment(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        return revision != null && (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
    }

    /**
     * Waits for a service. The tracker stays open for the runtime's lifetime: closing it would release the
     * service while the launcher still uses it (the framework releases everything when it stops).
     *
     * @param filter an LDAP filter
     * @param timeoutMillis how long to wait
     * @return the service object, or null on timeout
     */
    Object waitFor(String filter, long timeoutMillis) throws InterruptedException {
        try {
            ServiceTracker<Object, Object> tracker = new ServiceTracker<>(
                    framework.getBundleContext(), framework.getBundleContext().createFilter(filter), null);
            tracker.open(true);
            return tracker.waitForService(timeoutMillis);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Blocks until the framework stops (for a server, on shutdown). */
    void awaitStop() throws InterruptedException {
        if (framework != null) {
            framework.waitForStop(0);
        }
    }

    /** Stops the framework and every bundle, waiting up to 30 seconds. */
    void stop() {
        Framework current = framework;
        if (current == null) {
            return;
        }
        try {
            current.stop();
            FrameworkEvent event = current.waitForStop(TimeUnit.SECONDS.toMillis(30));
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                System.err.println("warning: the runtime did not stop within 30 s");
            }
        } catch (BundleException e) {
            System.err.println("warning: the runtime did not stop cleanly: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
