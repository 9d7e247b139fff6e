package io.eventdbx.launcher;

import io.eventdbx.command.api.CommandException;
import io.eventdbx.command.api.ExitCodes;
import io.eventdbx.config.DataDirectory;
import io.eventdbx.config.EffectiveConfig;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs the server in the foreground, or starts it as a detached daemon and waits until it is ready. */
final class Server {

    static final String CONTROL_FILTER = "(&(objectClass=java.net.InetSocketAddress)(eventdbx.endpoint=control))";
    /** The API listener, published once the API servlets are registered and the port is bound. */
    static final String HTTP_FILTER = "(&(objectClass=java.net.InetSocketAddress)(eventdbx.endpoint=http))";

    private static final long READY_TIMEOUT_MILLIS = 60_000;

    private final Distribution distribution;
    private final DataDirectory dir;
    private final EffectiveConfig config;
    private final Map<String, String> flags;
    private final Map<String, String> environment;

    Server(
            Distribution distribution,
            DataDirectory dir,
            EffectiveConfig config,
            Map<String, String> flags,
            Map<String, String> environment) {
        this.distribution = distribution;
        this.dir = dir;
        this.config = config;
        this.flags = flags;
        this.environment = environment;
    }

    /** Sets up SLF4J Simple, which reads system properties when it initialises. */
    static void configureLogging(String level, String target) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.logFile", target);
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
    }

    /**
     * Runs the server in this process until it is stopped (SIGTERM, {@code dbx stop}).
     *
     * @param teeToLog whether to copy the console output to the log file (foreground); a daemon child's output
     *     is already redirected to the log file by its parent
     */
    int runForeground(boolean teeToLog, PrintStream out, PrintStream err) throws Exception {
        // Capture the console before the framework starts: Gogo replaces System.out and System.err.
        PrintStream console = out;
        PrintStream consoleErr = err;
        if (teeToLog) {
            OutputStream log = new FileOutputStream(dir.logFile().toFile(), true);
            console = new PrintStream(new TeeOutputStream(out, log), true, StandardCharsets.UTF_8);
            consoleErr = new PrintStream(new TeeOutputStream(err, log), true, StandardCharsets.UTF_8);
            System.setOut(console);
            System.setErr(consoleErr);
        }
        configureLogging("info", "System.err");
        DataDirectoryLock lock = DataDirectoryLock.acquire(dir);
        try {
            checkListenerFree(config.socketBindAddress(), "control socket ([socket].bind_addr)");
            if (!config.apis().isEmpty()) {
                checkListenerFree(new io.eventdbx.config.BindAddress("0.0.0.0", config.port()), "HTTP API (port)");
            }
            if (config.grpcListener().isPresent()) {
                checkListenerFree(config.grpcListener().get(), "gRPC API ([grpc].bind_addr)");
            }
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        FrameworkRunner runner = new FrameworkRunner(distribution, dir, "server", flags);
        // Felix HTTP must have a connector of its own to start Jetty: a loopback placeholder on port 0, which the
        // io.eventdbx.http bundle closes when it adds the API listener on the configured port (once the API is ready).
        runner.frameworkProperty("org.osgi.service.http.port", "0");
        runner.frameworkProperty("org.apache.felix.http.host", "127.0.0.1");
        // The whiteboard tells of a registered servlet at once, not 2 s later: the listener opens on that news.
        runner.frameworkProperty("org.apache.felix.http.whiteboard.changecount.delay", "0");
        Instant started = ProcessHandle.current().info().startInstant().orElse(Instant.now());
        try {
            runner.boot(distribution.select("server", config.apis()));
            InetSocketAddress control = (InetSocketAddress) runner.waitFor(CONTROL_FILTER, READY_TIMEOUT_MILLIS);
            if (control == null) {
                throw new CommandException("the control socket did not start within 60 s; see " + dir.logFile());
            }
            if (config.apis().contains("rest") && runner.waitFor(HTTP_FILTER, READY_TIMEOUT_MILLIS) == null) {
                throw new CommandException("the HTTP API did not start within 60 s; see " + dir.logFile());
            }
            String endpoint = control.getAddress().getHostAddress() + ":" + control.getPort();
            PidFile pid = new PidFile(ProcessHandle.current().pid(), started, endpoint, config.port());
            pid.write(dir.pidFile());
            // TERM (dbx stop) and INT (Ctrl-C) stop the framework and let main() return, so a graceful stop
            // exits 0; the hook covers every other way the JVM can end.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(runner, lock, pid), "dbx-shutdown"));
            handleStopSignals(runner);
            long ready = Duration.between(started, Instant.now()).toMillis();
            console.println("EventDBX " + Main.version() + " ready in " + ready + " ms: pid " + pid.pid()
                    + ", data dir " + dir.root() + ", control " + endpoint + ", http port " + config.port()
                    + ", api " + String.join(",", config.apis()) + ", restrict "
                    + config.restrict().label());
            console.flush();
        } catch (RuntimeException e) {
            runner.stop();
            lock.close();
            throw e;
        }
        runner.awaitStop();
        return ExitCodes.OK;
    }

    private static void handleStopSignals(FrameworkRunner runner) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    Thread stopper = new Thread(runner::stop, "dbx-stop-" + name);
                    stopper.start();
                });
            } catch (IllegalArgumentException unsupported) {
                // this platform does not have the signal; the shutdown hook still stops the server
            }
        }
    }

    /**
     * Fails fast, with the reason, when a listener's address is taken: otherwise the component that binds it
     * fails inside the framework and the start only times out.
     */
    private static void checkListenerFree(io.eventdbx.config.BindAddress address, String what) {
        if (address.port() == 0) {
            return;
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(java.net.InetAddress.getByName(address.host()), address.port()));
        } catch (IOException e) {
            throw new CommandException("cannot listen on " + address + " for the " + what + ": " + e.getMessage());
        }
    }

    private void shutdown(FrameworkRunner runner, DataDirectoryLock lock, PidFile pid) {
        runner.stop();
        try {
            Optional<PidFile> current = PidFile.read(dir.pidFile());
            if (current.isPresent() && current.get().pid() == pid.pid()) {
                Files.deleteIfExists(dir.pidFile());
            }
        } catch (IOException ignored) {
            // the next start detects and removes a stale pid file
        }
        lock.close();
        System.out.println("EventDBX stopped (pid " + pid.pid() + ")");
        System.out.flush();
    }

    /** Starts a detached server process and returns when it is ready, or reports why it did not start. */
    int daemonize(List<String> startArgs, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) {
            command.add("/usr/bin/setsid"); // a session of its own: closing the terminal does not stop the server
        }
        // java.home, not this process's command: in a jpackage image that command is the native launcher.
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(serverJvmArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(startArgs);
        Files.createDirectories(dir.logFile().getParent());
        long logOffset = Files.exists(dir.logFile()) ? Files.size(dir.logFile()) : 0;
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.logFile().toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment);
        Process process = builder.start();
        long deadline = System.nanoTime() + READY_TIMEOUT_MILLIS * 1_000_000;
        while (System.nanoTime() < deadline) {
            Optional<PidFile> pid = PidFile.read(dir.pidFile());
            if (pid.isPresent() && pid.get().process().isPresent()) {
                out.println("EventDBX started (pid " + pid.get().pid() + ", control "
                        + pid.get().control() + ", http port " + pid.get().port() + "); log: " + dir.logFile());
                return ExitCodes.OK;
            }
            if (!process.isAlive()) {
                err.println("error: EventDBX failed to start (exit code " + process.exitValue() + "):");
                err.print(tail(dir.logFile(), logOffset));
                return ExitCodes.FAILURE;
            }
            Thread.sleep(25); // polling a file the child writes; there is no other channel to wait on
        }
        process.destroyForcibly();
        err.println("error: EventDBX did not become ready within " + READY_TIMEOUT_MILLIS / 1000 + " s; see "
                + dir.logFile());
        return ExitCodes.FAILURE;
    }

    /** The JVM options for a server process: the caller's, minus client-only start-up tuning. */
    private static List<String> serverJvmArguments() {
        List<String> args = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // bin/dbx's start-up tuning and class-data archive options are for the short-lived client only.
            if (!arg.startsWith("-XX:TieredStopAtLevel")
                    && !arg.startsWith("-XX:SharedArchiveFile")
                    && !arg.startsWith("-XX:ArchiveClassesAtExit")
                    && !arg.startsWith("-Xshare")
                    && !arg.equals("-Xlog:disable")
                    && !arg.equals("-Xlog:all=error:stderr")
                    && !arg.equals("-XX:+UseSerialGC")) {
                args.add(arg);
            }
        }
        return args;
    }

    private static String tail(Path log, long offset) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(offset, file.length() - 16_384);
            file.seek(start);
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
