package io.eventdbx.launcher;

import io.eventdbx.command.api.CommandException;
import io.eventdbx.command.api.ExitCodes;
import io.eventdbx.command.api.UsageException;
import io.eventdbx.command.support.CommandRunner;
import io.eventdbx.command.support.JsonOption;
import io.eventdbx.command.support.SimpleCommandContext;
import io.eventdbx.command.support.TokenArgument;
import io.eventdbx.config.ApiSelection;
import io.eventdbx.config.ConfigException;
import io.eventdbx.config.ConfigLoader;
import io.eventdbx.config.DataDirectory;
import io.eventdbx.config.EffectiveConfig;
import io.eventdbx.config.Setting;
import io.eventdbx.control.protocol.AdminCredential;
import io.eventdbx.control.protocol.AuthenticationException;
import io.eventdbx.control.protocol.ControlClient;
import io.eventdbx.token.api.Principal;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The lifecycle commands and command forwarding. */
final class Lifecycle {

    private final Distribution distribution;
    private final Map<String, String> environment;
    private final Path home;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final CommandRunner runner = new CommandRunner();

    Lifecycle(
            Distribution distribution,
            Map<String, String> environment,
            Path home,
            InputStream in,
            PrintStream out,
            PrintStream err) {
        this.distribution = distribution;
        this.environment = environment;
        this.home = home;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    int run(String command, List<String> args, String globalDataDir, String globalConfig) {
        Object spec =
                switch (command) {
                    case "start" -> new Start(false);
                    case "restart" -> new Start(true);
                    case "stop" -> new Stop();
                    case "status" -> new Status();
                    case "destroy" -> new Destroy();
                    case "shell" -> new Shell();
                    default -> throw new IllegalArgumentException(command);
                };
        ((Located) spec).dataDir = globalDataDir;
        ((Located) spec).config = globalConfig;
        return runner.run(
                "dbx " + command,
                spec,
                new SimpleCommandContext(out, err, in, Principal.administrator(System.getProperty("user.name"))),
                args);
    }

    /** Options every lifecycle command has: which instance. */
    abstract static class Located {
        @Option(names = "--data-dir", paramLabel = "<path>", description = "Data directory (default $HOME/.eventdbx).")
        String dataDir;

        @Option(
                names = "--config",
                paramLabel = "<path>",
                description = "Configuration file (default <data-dir>/config.toml).")
        String config;
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start the server.")
    final class Start extends Located implements Callable<Object> {
        private final boolean restart;

        @Option(names = "--port", paramLabel = "<u16>", description = "HTTP port for REST and GraphQL (persisted).")
        String port;

        @Option(names = "--foreground", description = "Run in this process, logging to the console and the log file.")
        boolean foreground;

        @Option(
                names = "--restrict",
                arity = "0..1",
                fallbackValue = "default",
                paramLabel = "<mode>",
                description = "Schema restriction: off, default or strict (persisted; bare --restrict means default).")
        String restrict;

        @Option(
                names = "--api",
                split = ",",
                paramLabel = "<surface>",
                description = "API surfaces to serve: rest, graphql, grpc or all (persisted).")
        List<String> apis;

        @Option(
                names = "--timeout",
                paramLabel = "<seconds>",
                defaultValue = "30",
                description = "restart: seconds to wait for a graceful stop before killing.")
        long timeout;

        @Option(names = "--daemon-child", hidden = true)
        boolean daemonChild;

        Start(boolean restart) {
            this.restart = restart;
        }

        @Override
        public Object call() throws Exception {
            Map<String, String> flags = flags();
            DataDirectory dir = resolve(this);
            if (restart) {
                Optional<PidFile> running = live(dir);
                if (running.isPresent()) {
                    stop(dir, running.get(), timeout);
                }
            }
            Map<Setting, Object> typed = new LinkedHashMap<>();
            try {
                flags.forEach((key, value) ->
                        typed.put(Setting.byKey(key), Setting.byKey(key).parse(value)));
            } catch (ConfigException e) {
                throw new UsageException(e.getMessage());
            }
            dir.prepare();
            if (!typed.isEmpty()) {
                dir.config().update(typed);
            }
            EffectiveConfig config = ConfigLoader.load(dir.config(), environment, flags);
            AdminCredential.loadOrCreate(dir.adminKeyFile());
            Optional<PidFile> running = live(dir);
            if (running.isPresent() && !answers(running.get()) && awaitExit(dir, running.get())) {
                running = Optional.empty(); // it was exiting (killed): its pid file is stale now
                Files.deleteIfExists(dir.pidFile());
            }
            if (running.isPresent()) {
                throw new CommandException("EventDBX is already running for " + dir.root() + " (pid "
                        + running.get().pid() + "); use 'dbx restart' to restart it");
            }
            Server server = new Server(distribution, dir, config, flags, environment);
            if (foreground) {
                return server.runForeground(!daemonChild, out, err);
            }
            return server.daemonize(startArguments(dir), out, err);
        }

        private Map<String, String> flags() {
            Map<String, String> flags = new LinkedHashMap<>();
            if (port != null) {
                flags.put(Setting.PORT.key(), port);
            }
            if (restrict != null) {
                flags.put(Setting.RESTRICT.key(), restrict);
            }
            if (apis != null) {
                try {
                    ApiSelection.parse(apis).forEach((setting, value) -> flags.put(setting.key(), value.toString()));
                } catch (ConfigException e) {
                    throw new UsageException(e.getMessage());
                }
            }
            return flags;
        }

        private List<String> startArguments(DataDirectory dir) {
            List<String> args = new ArrayList<>(List.of(
                    "start",
                    "--foreground",
                    "--daemon-child",
                    "--data-dir",
                    dir.root().toString(),
                    "--config",
                    dir.configFile().toString()));
            if (port != null) {
                args.addAll(List.of("--port", port));
            }
            if (restrict != null) {
                args.add("--restrict=" + restrict);
            }
            if (apis != null) {
                args.addAll(List.of("--api", String.join(",", apis)));
            }
            return args;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the running server.")
    final class Stop extends Located implements Callable<Object> {
        @Option(
                names = "--timeout",
                paramLabel = "<seconds>",
                defaultValue = "30",
                description = "Seconds to wait for a graceful stop before killing the process.")
        long timeout;

        @Override
        public Object call() throws Exception {
            if (timeout < 1) {
                throw new UsageException("--timeout must be at least 1 second");
            }
            DataDirectory dir = resolve(this);
            Optional<PidFile> running = live(dir);
            if (running.isEmpty()) {
                return "EventDBX is not running";
            }
            return stop(dir, running.get(), timeout);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show whether the server runs, and how.")
    final class Status extends Located implements Callable<Object> {
        @Mixin
        JsonOption json;

        @Override
        public Object call() throws Exception {
            DataDirectory dir = resolve(this);
            Optional<PidFile> running = live(dir);
            if (running.isEmpty()) {
                if (json.enabled()) {
                    Map<String, Object> status = new LinkedHashMap<>();
                    status.put("status", "not running");
                    status.put("data_dir", dir.root().toString());
                    return status;
                }
                return "EventDBX is not running (data directory " + dir.root() + ")";
            }
            List<String> args = json.enabled() ? List.of("status", "--json") : List.of("status");
            try {
                return remote(dir, running.get(), args);
            } catch (IOException e) {
                throw new CommandException(
                        "EventDBX (pid " + running.get().pid() + ") is running but its control socket "
                                + running.get().control() + " does not answer: " + e.getMessage());
            }
        }
    }

    @Command(
            name = "destroy",
            mixinStandardHelpOptions = true,
            description = "Delete the data directory, pid file and configuration, after confirmation.")
    final class Destroy extends Located implements Callable<Object> {
        @Option(names = "--yes", description = "Do not ask for confirmation.")
        boolean yes;

        @Override
        public Object call() throws Exception {
            DataDirectory dir = resolve(this);
            Optional<PidFile> running = live(dir);
            if (running.isPresent()) {
                throw new CommandException(
                        "EventDBX is running (pid " + running.get().pid() + "); stop it first with 'dbx stop'");
            }
            boolean hasData = Files.exists(dir.root());
            boolean hasConfig = Files.exists(dir.configFile());
            if (!hasData && !hasConfig) {
                return "nothing to destroy: " + dir.root() + " does not exist";
            }
            if (hasData && !looksLikeDataDirectory(dir)) {
                throw new CommandException(
                        dir.root() + " does not look like an EventDBX data directory; refusing to delete it");
            }
            if (!yes) {
                err.print("This permanently deletes " + dir.root()
                        + (dir.configFile().startsWith(dir.root()) ? "" : " and " + dir.configFile())
                        + ". Type 'yes' to continue: ");
                err.flush();
                String answer = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
                if (answer == null || !answer.trim().equals("yes")) {
                    throw new CommandException("destroy cancelled; nothing was deleted");
                }
            }
            FrameworkRunner.deleteTree(dir.root());
            Files.deleteIfExists(dir.configFile());
            return "destroyed " + dir.root();
        }
    }

    @Command(
            name = "shell",
            mixinStandardHelpOptions = true,
            description = "Open an interactive Gogo shell on the running server, or on an embedded runtime.")
    final class Shell extends Located implements Callable<Object> {
        @Override
        public Object call() throws Exception {
            DataDirectory dir = resolve(this);
            Optional<PidFile> running = live(dir);
            if (running.isPresent()) {
                try (ControlClient client = connect(dir, running.get())) {
                    return client.shell(in, out, err);
                }
            }
            return new Embedded(distribution, dir, err)
                    .run(Map.of("mode", "shell", "args", List.of(), "in", in, "out", out, "err", err));
        }
    }

    /**
     * Runs a bundle's command: in the server if one runs, else in an embedded runtime. The caller is the holder of
     * {@code --token} (except in {@code token revoke|refresh}, where it names the token to act on) or of
     * {@code EVENTDBX_TOKEN}; without either, the local administrator, proved by the owner-only admin credential.
     */
    int forward(String command, List<String> args, String dataDir, String config) {
        DataDirectory dir = DataDirectory.resolve(dataDir, config, environment, home);
        List<String> argv = new ArrayList<>();
        argv.add(command);
        argv.addAll(args);
        // In 'token revoke|refresh --token X', X is the token acted on, not the caller's.
        boolean subject = command.equals("token")
                && args.size() > 0
                && (args.get(0).equals("revoke") || args.get(0).equals("refresh"));
        String token = subject ? null : TokenArgument.take(argv, 1);
        if (token == null) {
            token = environment.get("EVENTDBX_TOKEN");
        }
        try {
            Optional<PidFile> running = live(dir);
            if (running.isPresent()) {
                try (ControlClient client = token != null
                        ? ControlClient.connect(running.get().controlAddress(), token, 5_000)
                        : connect(dir, running.get())) {
                    return client.execute(argv, in, out, err);
                }
            }
            Map<String, Object> request =
                    new java.util.HashMap<>(Map.of("mode", "exec", "args", argv, "in", in, "out", out, "err", err));
            if (token != null) {
                request.put("token", token);
            }
            return new Embedded(distribution, dir, err).run(request);
        } catch (AuthenticationException e) {
            if (token != null) {
                err.println("error: " + e.getMessage());
                return ExitCodes.UNAUTHENTICATED;
            }
            err.println("error: the server refused the administrator credential of " + dir.adminKeyFile() + ": "
                    + e.getMessage());
            return ExitCodes.UNAUTHENTICATED;
        } catch (IOException e) {
            err.println("error: cannot reach the server: " + e.getMessage());
            return ExitCodes.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        }
    }

    private Object remote(DataDirectory dir, PidFile pid, List<String> args) throws IOException {
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        int exit;
        try (ControlClient client = connect(dir, pid)) {
            exit = client.execute(args, buffer, err);
        }
        out.print(buffer.toString(StandardCharsets.UTF_8));
        out.flush();
        return exit;
    }

    private ControlClient connect(DataDirectory dir, PidFile pid) throws IOException {
        AdminCredential credential;
        try {
            credential = AdminCredential.load(dir.adminKeyFile());
        } catch (IOException e) {
            throw new CommandException(
                    "unauthenticated: no token was given (--token or EVENTDBX_TOKEN) and the administrator"
                            + " credential cannot be used: " + e.getMessage(),
                    ExitCodes.UNAUTHENTICATED,
                    null);
        }
        return ControlClient.connect(pid.controlAddress(), credential, 5_000);
    }

    private Object stop(DataDirectory dir, PidFile pid, long timeoutSeconds) throws InterruptedException, IOException {
        ProcessHandle process = pid.process().orElse(null);
        if (process == null) {
            return "EventDBX is not running";
        }
        process.destroy();
        boolean graceful = waitForExit(process, TimeUnit.SECONDS.toMillis(timeoutSeconds));
        if (!graceful) {
            process.destroyForcibly();
            if (!waitForExit(process, 10_000)) {
                throw new CommandException("pid " + pid.pid() + " did not exit even after SIGKILL");
            }
        }
        // A graceful stop removes the pid file itself; a killed process cannot.
        Files.deleteIfExists(dir.pidFile());
        return graceful
                ? "EventDBX stopped (pid " + pid.pid() + ")"
                : "EventDBX did not stop within " + timeoutSeconds + " s and was killed (pid " + pid.pid() + ")";
    }

    private static boolean waitForExit(ProcessHandle process, long millis) throws InterruptedException {
        try {
            process.onExit().get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !process.isAlive();
        }
    }

    /** The live server of a data directory; a stale pid file is removed (and said so). */
    private Optional<PidFile> live(DataDirectory dir) throws IOException {
        Optional<PidFile> pid = PidFile.read(dir.pidFile());
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        if (pid.get().process().isPresent()) {
            return pid;
        }
        Files.deleteIfExists(dir.pidFile());
        err.println("note: removed a stale pid file (pid " + pid.get().pid() + " no longer runs)");
        return Optional.empty();
    }

    /**
     * Whether the server of a pid file answers on its control socket (sends its greeting within a second). A
     * process that was killed can still look alive while the kernel tears it down, and its listening socket can
     * still accept, but it sends nothing.
     */
    private static boolean answers(PidFile pid) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(pid.controlAddress(), 1_000);
            socket.setSoTimeout(1_000);
            byte[] greeting =
                    socket.getInputStream().readNBytes(io.eventdbx.control.protocol.ControlProtocol.GREETING.length);
            return java.util.Arrays.equals(greeting, io.eventdbx.control.protocol.ControlProtocol.GREETING);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Waits (up to 15 s) for a process that holds a pid file but does not answer to let go of the data directory:
     * it exits, or its lock is released. False if it still holds the directory then (hung, not exiting).
     */
    private boolean awaitExit(DataDirectory dir, PidFile pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        boolean told = false;
        while (System.nanoTime() < deadline) {
            if (pid.process().isEmpty() || lockIsFree(dir)) {
                return true;
            }
            if (!told) {
                err.println("note: pid " + pid.pid() + " does not answer; waiting for it to exit");
                told = true;
            }
            Thread.sleep(20); // polling the process table: the kernel offers no wait for a process not our child
        }
        return false;
    }

    private static boolean lockIsFree(DataDirectory dir) {
        try {
            DataDirectoryLock.acquire(dir).close();
            return true;
        } catch (LauncherException e) {
            return false;
        }
    }

    private DataDirectory resolve(Located options) {
        return DataDirectory.resolve(options.dataDir, options.config, environment, home);
    }

    private boolean looksLikeDataDirectory(DataDirectory dir) {
        Path root = dir.root();
        if (root.getParent() == null || root.equals(home.toAbsolutePath().normalize())) {
            return false;
        }
        return Files.exists(dir.adminKeyFile())
                || Files.exists(root.resolve("config.toml"))
                || Files.exists(dir.lockFile());
    }
}
