package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.emitter.api.EmitterContract;
import io.eventdbx.emitter.api.EmitterFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emitter contract of EventDBX (from the emitter API's test jar, whose tests this class inherits), against a real
 * file, and this type's own rules.
 */
class EmitterFactoryImplTest extends EmitterContract {

    @TempDir
    Path dir;

    @Override
    protected EmitterFactory factory() {
        return new EmitterFactoryImpl();
    }

    @Override
    protected Map<String, List<String>> liveOptions() {
        return Map.of("path", List.of(dir.resolve("events.jsonl").toString()));
    }

    @Override
    protected Map<String, List<String>> unreachableOptions() {
        return Map.of("path", List.of(dir.resolve("missing-folder/events.jsonl").toString()));
    }

    @Override
    protected List<String> received() throws IOException {
        Path file = dir.resolve("events.jsonl");
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    @Test
    void theOptionsAreTheConfigurationTypeAndARelativePathIsRefused() {
        assertEquals(2, factory().options().size());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> factory().create("x", Map.of("path", List.of("relative/events.jsonl"))));
        assertTrue(e.getMessage().contains("--path"), e.getMessage());
    }
}
