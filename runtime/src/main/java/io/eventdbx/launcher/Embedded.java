package io.eventdbx.launcher;

import io.eventdbx.command.api.ExitCodes;
import io.eventdbx.config.DataDirectory;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A one-shot runtime for a command when no server runs: the embedded features (no network listeners) are
 * booted, the command runs through the in-process gateway, and the runtime stops.
 */
final class Embedded {

    static final String GATEWAY_FILTER = "(&(objectClass=java.util.function.Function)(eventdbx.gateway=local))";

    private final Distribution distribution;
    private final DataDirectory dir;
    private final PrintStream err;

    Embedded(Distribution distribution, DataDirectory dir, PrintStream err) {
        this.distribution = distribution;
        this.dir = dir;
        this.err = err;
    }

    @SuppressWarnings("unchecked")
    int run(Map<String, Object> request) throws InterruptedException {
        dir.prepare();
        Server.configureLogging("warn", "System.err");
        try (DataDirectoryLock lock = DataDirectoryLock.acquire(dir)) {
            FrameworkRunner runner = new FrameworkRunner(distribution, dir, "embedded", Map.of());
            try {
                runner.boot(distribution.select("embedded", List.of()));
                Object gateway = runner.waitFor(GATEWAY_FILTER, 30_000);
                if (gateway == null) {
                    err.println("error: the embedded runtime did not offer its command gateway within 30 s");
                    return ExitCodes.FAILURE;
                }
                return ((Function<Map<String, Object>, Integer>) gateway).apply(request);
            } finally {
                runner.stop();
            }
        }
    }
}
