package io.eventdbx.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventdbx.command.api.DbxCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The shipped bundle set in a real Felix framework: exactly the jars of {@code runtime/target/dbx/bundle},
 * in the start order of the feature files, as an embedded runtime (no listeners).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RuntimeIT {

    private static final long WAIT_MILLIS = 30_000;

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() throws IOException {
        Path home = Path.of(System.getProperty("dbx.home", "../runtime/target/dbx"))
                .toAbsolutePath()
                .normalize();
        Path dataDir = Files.createTempDirectory("dbx-runtime-it");
        List<Option> options = new ArrayList<>();
        options.add(cleanCaches());
        options.add(junitBundles());
        options.add(frameworkStartLevel(50));
        options.add(frameworkProperty("eventdbx.data.dir").value(dataDir.toString()));
        options.add(frameworkProperty("eventdbx.config.file")
                .value(dataDir.resolve("config.toml").toString()));
        options.add(frameworkProperty("eventdbx.mode").value("embedded"));
        options.add(systemProperty("org.slf4j.simpleLogger.defaultLogLevel").value("warn"));
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> refs = new ArrayList<>();
        try (Stream<Path> files = Files.list(home.resolve("features"))) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                json.readTree(file.toFile()).path("bundles").forEach(refs::add);
            }
        }
        refs.sort(Comparator.comparingInt(ref -> ref.path("start-order").asInt()));
        for (JsonNode ref : refs) {
            String[] gav = ref.path("id").asText().split(":");
            Path jar = home.resolve("bundle").resolve(gav[1] + "-" + gav[2] + ".jar");
            assertTrue("the distribution lacks " + jar, Files.isRegularFile(jar));
            options.add(bundle(jar.toUri().toString())
                    .startLevel(10 + ref.path("start-order").asInt()));
        }
        return options.toArray(Option[]::new);
    }

    @Test
    public void everyBundleIsActive() {
        List<String> notActive = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            boolean fragment = (bundle.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
            if (!fragment && bundle.getState() != Bundle.ACTIVE) {
                notActive.add(bundle.getSymbolicName() + "=" + bundle.getState());
            }
        }
        assertTrue("not active: " + notActive, notActive.isEmpty());
        assertNotNull(find("io.eventdbx.control"));
        assertNotNull(find("org.apache.felix.fileinstall"));
    }

    @Test
    public void gogoRunsEventDbxAndFelixCommands() throws Exception {
        waitForCommand("config");
        String help = gogo("dbx:help");
        assertTrue(help, help.contains("config") && help.contains("bundle") && help.contains("status"));
        String config = gogo("dbx:config --json");
        assertTrue(config, config.contains("\"key\" : \"socket.bind_addr\""));
        String lb = gogo("lb");
        assertTrue(lb, lb.contains("EventDBX control socket"));
    }

    @Test
    public void stopAndRestartABundle() throws Exception {
        waitForCommand("help");
        Bundle control = find("io.eventdbx.control");
        control.stop();
        assertEquals(Bundle.RESOLVED, control.getState());
        assertNull(
                "the help command goes away with its bundle",
                commandTracker("help").getService());
        control.start();
        assertNotNull("and comes back when it starts", waitForCommand("help"));
        String help = gogo("dbx:help");
        assertTrue(help, help.contains("List the available commands"));
    }

    @Test
    public void updateABundleInPlace() throws Exception {
        waitForCommand("config");
        Bundle config = find("io.eventdbx.config");
        config.update();
        assertNotNull("the updated bundle provides its command again", waitForCommand("config"));
        assertTrue(gogo("dbx:config").contains("socket.bind_addr"));
    }

    @Test
    public void installABundleLive() throws Exception {
        Path jar = Files.createTempFile("live", ".jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        manifest.getMainAttributes().putValue("Bundle-SymbolicName", "test.live");
        manifest.getMainAttributes().putValue("Bundle-Version", "1.0.0");
        manifest.getMainAttributes().putValue("Import-Package", "io.eventdbx.command.api;version=\"[2.0,3)\"");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.flush();
        }
        Bundle bundle = context.installBundle(jar.toUri().toString());
        bundle.start();
        assertEquals(Bundle.ACTIVE, bundle.getState());
        bundle.uninstall();
        assertNull(find("test.live"));
    }

    private Bundle find(String symbolicName) {
        for (Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        return null;
    }

    private ServiceTracker<DbxCommand, DbxCommand> commandTracker(String name) throws Exception {
        ServiceTracker<DbxCommand, DbxCommand> tracker = new ServiceTracker<>(
                context,
                context.createFilter("(&(objectClass=" + DbxCommand.class.getName() + ")(" + DbxCommand.NAME_PROPERTY
                        + "=" + name + "))"),
                null);
        tracker.open();
        return tracker;
    }

    private DbxCommand waitForCommand(String name) throws Exception {
        return commandTracker(name).waitForService(WAIT_MILLIS);
    }

    private String gogo(String line) throws Exception {
        ServiceTracker<CommandProcessor, CommandProcessor> tracker =
                new ServiceTracker<>(context, CommandProcessor.class, null);
        tracker.open();
        CommandProcessor processor = tracker.waitForService(WAIT_MILLIS);
        assertNotNull("Gogo is running", processor);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print)) {
            Object result = session.execute(line);
            if (result != null) {
                print.println(session.format(result, 1));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
