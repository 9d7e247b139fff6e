package io.eventdbx.command.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.command.api.CommandException;
import io.eventdbx.token.api.Principal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

class CommandRunnerTest {

    @Command(name = "sample", mixinStandardHelpOptions = true)
    static final class Sample implements Callable<Object> {
        @Mixin
        JsonOption json;

        @Option(names = "--count")
        int count = 1;

        @Option(names = "--fail")
        boolean fail;

        @Option(names = "--crash")
        boolean crash;

        @Override
        public Object call() {
            if (fail) {
                throw new CommandException("the sample failed on purpose");
            }
            if (crash) {
                throw new IllegalStateException("boom");
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("count", count);
            result.put("nested", Map.of("k", "v"));
            return result;
        }
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        SimpleCommandContext context = new SimpleCommandContext(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]),
                Principal.administrator(System.getProperty("user.name")));
        return new CommandRunner().run("dbx sample", new Sample(), context, List.of(args));
    }

    @Test
    void textOutputFlattensMaps() {
        assertEquals(0, run("--count", "3"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("count:") && text.contains("3") && text.contains("nested.k:"), text);
    }

    @Test
    void jsonOutput() {
        assertEquals(0, run("--json"));
        assertTrue(
                out.toString(StandardCharsets.UTF_8).contains("\"count\" : 1"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void parseErrorsAreUsageErrors() {
        assertEquals(2, run("--count", "many"));
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("error: Invalid value"),
                err.toString(StandardCharsets.UTF_8));
        assertEquals(2, run("--nope"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("Run 'dbx sample --help'"));
    }

    @Test
    void failuresGiveTheirMessageAndNoStackTrace() {
        assertEquals(1, run("--fail"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("error: the sample failed on purpose"));
        assertEquals(1, run("--crash"));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("error: boom") && !text.contains("at io.eventdbx"), text);
    }

    @Test
    void helpExitsZero() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Usage: dbx sample"));
    }
}
