package ${package};

import io.eventdbx.emitter.api.EmitterContract;
import io.eventdbx.emitter.api.EmitterFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The emitter contract of EventDBX (from the emitter API's test jar), against a real file. */
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
}
