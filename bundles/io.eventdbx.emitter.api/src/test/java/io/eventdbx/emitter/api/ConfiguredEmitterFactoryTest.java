package io.eventdbx.emitter.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ConfiguredEmitterFactoryTest {

    @Retention(RetentionPolicy.RUNTIME)
    @interface Config {
        @EmitterOption(description = "where")
        String host();

        int port() default 9000;

        @EmitterOption(description = "secure", secret = false)
        boolean tls();

        @EmitterOption(description = "a header", secret = true)
        String[] header();

        long workingDir() default 5;
    }

    private final AtomicReference<Config> made = new AtomicReference<>();

    private final ConfiguredEmitterFactory<Config> factory = new ConfiguredEmitterFactory<>(Config.class) {
        @Override
        public String type() {
            return "demo";
        }

        @Override
        public String description() {
            return "a demo";
        }

        @Override
        protected Emitter create(String name, Config config) {
            made.set(config);
            return batch -> Delivery.delivered(batch.size());
        }
    };

    @Test
    void theElementsAreTheOptions() {
        assertEquals(
                List.of(
                        new EmitterFactory.Option("header", "a header", false, true, false, true),
                        new EmitterFactory.Option("host", "where", true, false, false, false),
                        new EmitterFactory.Option("port", "port", false, false, false, false),
                        new EmitterFactory.Option("tls", "secure", false, false, true, false),
                        new EmitterFactory.Option("working-dir", "working-dir", false, false, false, false)),
                factory.options());
    }

    @Test
    void valuesAreParsedAndDefaultsApplied() {
        factory.create("x", Map.of("host", List.of("h"), "tls", List.of("true"), "header", List.of("a=1", "b=2")));
        Config c = made.get();
        assertEquals("h", c.host());
        assertEquals(9000, c.port());
        assertTrue(c.tls());
        assertArrayEquals(new String[] {"a=1", "b=2"}, c.header());
        assertEquals(5, c.workingDir());
        assertEquals(Config.class, c.annotationType());
    }

    @Test
    void badValuesAreRefusedByName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> factory.create("x", Map.of()))
                .getMessage()
                .contains("--host"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> factory.create("x", Map.of("host", List.of("h"), "port", List.of("eighty"))))
                .getMessage()
                .contains("--port must be a whole number"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> factory.create("x", Map.of("host", List.of("h"), "colour", List.of("red"))))
                .getMessage()
                .contains("--colour"));
    }
}
