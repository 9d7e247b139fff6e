package io.eventdbx.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for a test: Debian's binaries (package postgresql; .ci/run installs it), a cluster in a
 * temporary folder, on a free port of the loopback address, trusted local connections. Queried with psql, a client
 * of its own. Run as root, the server runs as the postgres user (initdb refuses root).
 */
final class PostgresServer implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    final int port;
    private final boolean root;

    private PostgresServer(Path bin, Path dir, int port, boolean root) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.root = root;
    }

    /** Makes a cluster, starts it and creates the database {@code rm}. */
    static PostgresServer start() throws Exception {
        Path bin;
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            bin = versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(Path::toString))
                    .orElseThrow(() -> new AssertionError(
                            "no PostgreSQL under /usr/lib/postgresql: apt-get install" + " postgresql"));
        } catch (IOException e) {
            throw new AssertionError("no PostgreSQL under /usr/lib/postgresql: apt-get install postgresql", e);
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("dbx-pg-");
        if (root) {
            run(Path.of("/"), List.of("chown", "postgres", dir.toString()));
        }
        PostgresServer server = new PostgresServer(bin, dir, Dbx.freePort(), root);
        server.as(List.of(
                bin.resolve("initdb").toString(),
                "-D",
                dir.resolve("data").toString(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync"));
        server.startServer();
        server.as(List.of(
                bin.resolve("createdb").toString(),
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(server.port),
                "-U",
                "postgres",
                "rm"));
        return server;
    }

    /** A connection string for the sink, with a password that trust authentication ignores (it must stay secret). */
    String connection() {
        return "postgresql://postgres:s3cret-pw@127.0.0.1:" + port + "/rm";
    }

    void startServer() throws Exception {
        as(List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                dir.resolve("data").toString(),
                "-w",
                "-t",
                "60",
                "-o",
                "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir + " -c fsync=off",
                "-l",
                dir.resolve("log").toString(),
                "start"));
    }

    void stopServer() throws Exception {
        as(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-m", "fast", "stop"));
    }

    /** Rows of a query, each a list of column texts (NULL as null), via psql. */
    List<List<String>> query(String sql) throws Exception {
        RestConformanceIT.Run run = RestConformanceIT.run(
                dir,
                Duration.ofMinutes(1),
                bin.resolve("psql").toString(),
                "-X",
                "-q",
                "-A",
                "-t",
                "-F",
                "\u001f",
                "-P",
                "null=<NULL>",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(port),
                "-U",
                "postgres",
                "-d",
                "rm",
                "-c",
                sql);
        assertEquals(0, run.exit(), sql + ": " + run.out());
        List<List<String>> rows = new ArrayList<>();
        for (String line : run.out().split("\n")) {
            if (!line.isEmpty()) {
                rows.add(Arrays.stream(line.split("\u001f", -1))
                        .map(v -> v.equals("<NULL>") ? null : v)
                        .toList());
            }
        }
        return rows;
    }

    private void as(List<String> command) throws Exception {
        List<String> full = new ArrayList<>();
        if (root) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        RestConformanceIT.Run run = run(dir, full);
        assertEquals(0, run.exit(), String.join(" ", command) + ": " + run.out());
    }

    private static RestConformanceIT.Run run(Path dir, List<String> command) throws Exception {
        return RestConformanceIT.run(dir, Duration.ofMinutes(2), command.toArray(String[]::new));
    }

    @Override
    public void close() throws Exception {
        try {
            as(List.of(
                    bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "stop"));
        } catch (AssertionError alreadyStopped) {
            // stopped by the test
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
