package io.eventdbx.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the assembled {@code bin/dbx} as a real process against one temporary data directory. */
final class Dbx {

    /** What a finished {@code dbx} process left behind. */
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static final Path HOME = Path.of(System.getProperty("dbx.home", "../runtime/target/dbx"))
            .toAbsolutePath()
            .normalize();

    final Path dataDir;
    final Path userHome;
    final int httpPort;

    Dbx(Path temp) throws IOException {
        this.userHome = Files.createDirectories(temp.resolve("home"));
        this.dataDir = temp.resolve("data");
        this.httpPort = freePort();
        Files.createDirectories(dataDir);
        // Random ports only: the HTTP port is free now, and the control socket asks the OS for one.
        Files.writeString(
                dataDir.resolve("config.toml"), "port = " + httpPort + "\n[socket]\nbind_addr = \"127.0.0.1:0\"\n");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    Result run(String... args) {
        return runWithInput("", args);
    }

    Result runWithInput(String input, String... args) {
        return runWith(Map.of(), input, args);
    }

    /** Runs with extra environment variables (the inherited {@code EVENTDBX_*} ones are always removed). */
    Result runWith(Map<String, String> environment, String input, String... args) {
        try {
            Process process = start(environment, args);
            process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("dbx " + String.join(" ", args) + " did not finish within 120 s");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Starts {@code dbx} with {@code --data-dir} prepended to the command's own options. */
    Process start(String... args) throws IOException {
        return start(Map.of(), args);
    }

    Process start(Map<String, String> extraEnvironment, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(HOME.resolve("bin/dbx").toString());
        command.add("--data-dir");
        command.add(dataDir.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("EVENTDBX_"));
        env.put("HOME", userHome.toString());
        env.putAll(extraEnvironment);
        return builder.start();
    }

    static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                stream.transferTo(buffer);
                return buffer.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}
