package io.eventdbx.emitter.process.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.EmitterContract;
import io.eventdbx.emitter.api.EmitterFactory;
import io.eventdbx.emitter.api.PluginLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract against a real child process (a Java program speaking plugin.capnp), installed as a script. */
class ProcessEmitterContractTest extends EmitterContract {

    @TempDir
    Path dir;

    private Path output;

    @BeforeEach
    void install() throws IOException {
        Path folder = PluginLayout.folder(dir, "recorder", "1.0.0");
        Files.createDirectories(folder);
        Path script = folder.resolve("recorder");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(
                script,
                "#!/bin/sh\nexec '" + java + "' -cp '" + System.getProperty("java.class.path")
                        + "' io.eventdbx.emitter.process.internal.RecordingChild \"$@\"\n");
        script.toFile().setExecutable(true, true);
        Files.writeString(folder.resolve("plugin.json"), "{\"bin\":\"recorder\"}");
        output = dir.resolve("received.txt");
    }

    @Override
    protected EmitterFactory factory() {
        return new ProcessEmitterFactory(Map.of("data_dir", dir.toString()));
    }

    @Override
    protected Map<String, List<String>> liveOptions() {
        return Map.of("plugin", List.of("recorder"), "version", List.of("1.0.0"), "arg", List.of(output.toString()));
    }

    @Override
    protected Map<String, List<String>> unreachableOptions() {
        return Map.of("plugin", List.of("recorder"), "version", List.of("9.9.9")); // not installed
    }

    @Override
    protected List<String> received() throws IOException {
        return Files.exists(output) ? Files.readAllLines(output) : List.of();
    }

    @Override
    protected boolean matches(String text, io.eventdbx.emitter.api.Envelope envelope) {
        return text.equals(envelope.json());
    }

    private Delivery deliverWhenRunning(Emitter emitter, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Delivery d;
        do {
            d = emitter.deliver(List.of(envelope(1, "p-1")));
        } while (d.outcome() != Delivery.Outcome.DELIVERED && System.nanoTime() < deadline);
        return d;
    }

    @Test
    void aChildThatDiesIsRestartedAndDeliveriesGoOn() throws Exception {
        try (Emitter emitter = factory().create("sup", liveOptions())) {
            emitter.open();
            assertEquals(
                    Delivery.Outcome.DELIVERED, deliverWhenRunning(emitter, 30).outcome());
            List<ProcessHandle> children =
                    new ArrayList<>(ProcessHandle.current().descendants().toList());
            assertTrue(!children.isEmpty(), "a child runs");
            children.forEach(ProcessHandle::destroyForcibly); // the plugin dies
            Delivery after = deliverWhenRunning(emitter, 30);
            assertEquals(Delivery.Outcome.DELIVERED, after.outcome(), "restarted: " + after.reason());
        }
        assertTrue(ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive), "close ends the child");
    }

    @Test
    void aChildThatCrashesAtStartOrWritesGarbageIsARetryWithAReasonNeverAHang() throws Exception {
        for (String mode : List.of("crash", "garbage", "wrong-token")) {
            Map<String, List<String>> options = Map.of(
                    "plugin",
                    List.of("recorder"),
                    "version",
                    List.of("1.0.0"),
                    "arg",
                    List.of(output.toString(), mode));
            try (Emitter emitter = factory().create("bad-" + mode, options)) {
                emitter.open();
                Delivery d = emitter.deliver(List.of(envelope(1, "p-1")));
                assertEquals(Delivery.Outcome.UNREACHABLE, d.outcome(), mode);
                assertTrue(d.reason().startsWith("plugin process not running"), mode + ": " + d.reason());
            }
        }
        assertTrue(received().isEmpty());
    }

    @Test
    void optionsAreChecked() {
        IllegalArgumentException env = assertThrows(IllegalArgumentException.class, () -> factory()
                .create(
                        "x",
                        Map.of(
                                "plugin",
                                List.of("recorder"),
                                "version",
                                List.of("1.0.0"),
                                "env",
                                List.of("EVENTDBX_PLUGIN_TOKEN=forged"))));
        assertTrue(env.getMessage().contains("EVENTDBX_PLUGIN_"), env.getMessage());
        assertThrows(IllegalArgumentException.class, () -> factory()
                .create("x", Map.of("plugin", List.of("../etc"), "version", List.of("1.0.0"))));
    }
}
