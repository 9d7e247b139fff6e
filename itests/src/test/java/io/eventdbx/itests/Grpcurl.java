package io.eventdbx.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * grpcurl, the outside gRPC client the seed's example uses: the one on the PATH, else one built once under target/ with
 * {@code go install} through the Go module proxy (the Go toolchain is on these machines; grpcurl is not packaged).
 */
final class Grpcurl {

    static final String MODULE = "github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3";

    private Grpcurl() {}

    /** The grpcurl executable. */
    static String path() throws IOException, InterruptedException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "grpcurl"))) {
                return Path.of(dir, "grpcurl").toString();
            }
        }
        Path gobin = Path.of("target", "go-bin").toAbsolutePath();
        Path built = gobin.resolve("grpcurl");
        if (Files.isExecutable(built)) {
            return built.toString();
        }
        String go = Files.isExecutable(Path.of("/usr/local/go/bin/go")) ? "/usr/local/go/bin/go" : "go";
        List<String> command =
                new ArrayList<>(List.of("env", "GOBIN=" + gobin, "GOFLAGS=-mod=mod", go, "install", MODULE));
        RestConformanceIT.Run install = RestConformanceIT.run(
                Path.of(".").toAbsolutePath(), Duration.ofMinutes(10), command.toArray(String[]::new));
        assertEquals(0, install.exit(), "go install " + MODULE + ": " + install.out());
        return built.toString();
    }

    /** Runs grpcurl with arguments; stdout and stderr together. */
    static RestConformanceIT.Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(path());
        command.addAll(List.of(args));
        return RestConformanceIT.run(
                Path.of(".").toAbsolutePath(), Duration.ofMinutes(1), command.toArray(String[]::new));
    }
}
