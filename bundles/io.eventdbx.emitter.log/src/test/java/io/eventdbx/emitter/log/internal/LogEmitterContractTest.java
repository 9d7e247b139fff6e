package io.eventdbx.emitter.log.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.eventdbx.emitter.api.EmitterContract;
import io.eventdbx.emitter.api.EmitterFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class LogEmitterContractTest extends EmitterContract {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final LogEmitterFactory factory = new LogEmitterFactory((level, line) -> lines.add(level + " " + line));

    @Override
    protected EmitterFactory factory() {
        return factory;
    }

    @Override
    protected Map<String, List<String>> liveOptions() {
        return Map.of("level", List.of("info"));
    }

    @Override
    protected Map<String, List<String>> unreachableOptions() {
        return null; // the log is always there
    }

    @Override
    protected List<String> received() {
        return List.copyOf(lines);
    }

    @Test
    void theDefaultLineIsTheSeedsAndTheTemplateFillsItsPlaceholders() {
        factory.create("a", Map.of("level", List.of("WARN"))).deliver(List.of(envelope(7, "p-1")));
        factory.create("b", Map.of("level", List.of("debug"), "template", List.of("{event_id} {version} {event}")))
                .deliver(List.of(envelope(8, "p-2")));
        assertEquals(
                List.of(
                        "warn aggregate=patient id=p-1 event=seen",
                        "debug 00000000-0000-4000-8000-000000000008 8 seen"),
                lines);
    }

    @Test
    void aBadLevelIsRefusedWithTheChoices() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> factory.create("a", Map.of("level", List.of("loud"))));
        assertEquals("--level must be one of trace, debug, info, warn, error, got 'loud'", e.getMessage());
    }
}
