package io.eventdbx.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The pid file of a running server: {@code {"pid":N,"started_at":"RFC 3339","control":"host:port","port":N}}.
 * It is written when the server is ready and removed when it stops; one whose process is gone (or is another
 * process that reused the pid) is stale.
 *
 * @param pid the server's process id
 * @param startedAt when the server process started
 * @param control the control socket endpoint, host:port
 * @param port the HTTP port
 */
record PidFile(long pid, Instant startedAt, String control, int port) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static Optional<PidFile> read(Path file) throws IOException {
        try {
            JsonNode node = MAPPER.readTree(Files.readString(file));
            if (node == null || !node.has("pid")) {
                return Optional.empty();
            }
            return Optional.of(new PidFile(
                    node.path("pid").asLong(),
                    Instant.parse(node.path("started_at").asText(Instant.EPOCH.toString())),
                    node.path("control").asText(""),
                    node.path("port").asInt()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (RuntimeException | com.fasterxml.jackson.core.JacksonException e) {
            // A torn or foreign file: treat it as stale rather than refusing to start for ever.
            return Optional.of(new PidFile(-1, Instant.EPOCH, "", 0));
        }
    }

    void write(Path file) throws IOException {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("pid", pid);
        node.put("started_at", startedAt.toString());
        node.put("control", control);
        node.put("port", port);
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, MAPPER.writeValueAsString(node) + "\n");
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The live process this file names, if it is still the same process (same start time). */
    Optional<ProcessHandle> process() {
        if (pid <= 0) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(handle -> handle.info()
                .startInstant()
                .map(start -> Duration.between(start, startedAt).abs().toSeconds() < 5)
                .orElse(true));
    }

    InetSocketAddress controlAddress() {
        int colon = control.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalStateException("the pid file names no control endpoint");
        }
        return new InetSocketAddress(
                control.substring(0, colon).replace("[", "").replace("]", ""),
                Integer.parseInt(control.substring(colon + 1)));
    }
}
