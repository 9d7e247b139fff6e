package io.eventdbx.launcher;

import io.eventdbx.command.api.ExitCodes;
import io.eventdbx.config.ConfigException;
import io.eventdbx.config.DataDirectory;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code dbx} launcher: one program for every command.
 *
 * <p>Lifecycle commands ({@code start}, {@code stop}, {@code status}, {@code restart}, {@code destroy},
 * {@code shell}) are handled here. Every other command is a {@code DbxCommand} of some bundle: when a server
 * runs for the data directory it is forwarded over the authenticated control socket; otherwise an embedded
 * runtime (the same features, no network listeners) is booted, runs it and stops.
 *
 * <p>Global options, before the command: {@code --data-dir <path>}, {@code --config <path>},
 * {@code --version}, {@code --help}. {@code --config} is also accepted anywhere after the command.
 */
public final class Main {

    static final Set<String> LIFECYCLE = Set.of("start", "stop", "status", "restart", "destroy", "shell");

    private final Map<String, String> environment;
    private final Path home;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    /**
     * The user's home: {@code $HOME} as the shell has it (the seed's default data directory is
     * {@code $HOME/.eventdbx}), else the JVM's idea of it, which comes from the password database.
     */
    static Path home(Map<String, String> environment) {
        String home = environment.get("HOME");
        return home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"));
    }

    Main(Map<String, String> environment, Path home, InputStream in, PrintStream out, PrintStream err) {
        this.environment = environment;
        this.home = home;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the launcher.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        int exit = new Main(System.getenv(), home(System.getenv()), System.in, System.out, System.err).run(args);
        System.out.flush();
        System.err.flush();
        System.exit(exit);
    }

    int run(String[] args) {
        String dataDir = null;
        String config = null;
        int i = 0;
        try {
            for (; i < args.length && args[i].startsWith("-"); i++) {
                String arg = args[i];
                if (arg.equals("--version") || arg.equals("-V")) {
                    out.println("dbx " + version());
                    return ExitCodes.OK;
                } else if (arg.equals("--help") || arg.equals("-h")) {
                    usage(out);
                    return ExitCodes.OK;
                } else if (arg.equals("--data-dir") || arg.equals("--config")) {
                    if (i + 1 >= args.length) {
                        throw new LauncherException(arg + " needs a value", ExitCodes.USAGE, null);
                    }
                    if (arg.equals("--data-dir")) {
                        dataDir = args[++i];
                    } else {
                        config = args[++i];
                    }
                } else if (arg.startsWith("--data-dir=")) {
                    dataDir = arg.substring("--data-dir=".length());
                } else if (arg.startsWith("--config=")) {
                    config = arg.substring("--config=".length());
                } else {
                    throw new LauncherException(
                            "unknown option '" + arg + "' (global options: --data-dir, --config,"
                                    + " --version, --help)",
                            ExitCodes.USAGE,
                            null);
                }
            }
            if (i >= args.length) {
                usage(err);
                return ExitCodes.USAGE;
            }
            String command = args[i];
            List<String> rest = new ArrayList<>(Arrays.asList(args).subList(i + 1, args.length));
            Lifecycle lifecycle = new Lifecycle(Distribution.locate(), environment, home, in, out, err);
            if (LIFECYCLE.contains(command)) {
                return lifecycle.run(command, rest, dataDir, config);
            }
            config = extractConfig(rest, config);
            return lifecycle.forward(command, rest, dataDir, config);
        } catch (LauncherException e) {
            err.println("error: " + e.getMessage());
            return e.exitCode();
        } catch (ConfigException e) {
            err.println("error: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
    }

    /** Removes {@code --config X} / {@code --config=X} from a forwarded command's arguments. */
    static String extractConfig(List<String> args, String config) {
        for (int j = 0; j < args.size(); j++) {
            String arg = args.get(j);
            if (arg.equals("--config")) {
                if (j + 1 >= args.size()) {
                    throw new LauncherException("--config needs a value", ExitCodes.USAGE, null);
                }
                config = args.get(j + 1);
                args.subList(j, j + 2).clear();
                j--;
            } else if (arg.startsWith("--config=")) {
                config = arg.substring("--config=".length());
                args.remove(j);
                j--;
            }
        }
        return config;
    }

    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }

    static void usage(PrintStream stream) {
        stream.println("Usage: dbx [--data-dir <path>] [--config <path>] <command> [options]");
        stream.println();
        stream.println("Server lifecycle:");
        stream.println(
                "  start [--port N] [--data-dir P] [--foreground] [--restrict[=off|default|strict]] [--api rest|graphql|grpc|all]");
        stream.println("  stop [--timeout SECONDS]      stop the running server (gracefully, then forcibly)");
        stream.println("  status [--json]               pid, uptime, ports and restriction mode, or 'not running'");
        stream.println("  restart [start options]       stop, then start");
        stream.println("  destroy [--yes]               delete the data directory and configuration");
        stream.println(
                "  shell                         interactive Gogo shell on the running server (or an embedded runtime)");
        stream.println();
        stream.println("Every other command (config, bundle, help, ...) runs in the server, or in an embedded runtime");
        stream.println("when no server runs. 'dbx help' lists them; 'dbx <command> --help' describes one.");
        stream.println("Default data directory: $HOME/" + DataDirectory.DEFAULT_NAME + " (or EVENTDBX_DATA_DIR).");
    }
}
