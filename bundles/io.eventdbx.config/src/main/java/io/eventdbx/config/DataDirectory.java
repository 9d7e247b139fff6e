package io.eventdbx.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where one EventDBX instance keeps its files, and how that place is chosen.
 *
 * <p>The config file is {@code --config}, else {@code config.toml} inside the data directory named by
 * {@code --data-dir} or {@code EVENTDBX_DATA_DIR}, else {@code $HOME/.eventdbx/config.toml}. The data
 * directory is {@code --data-dir}, else {@code EVENTDBX_DATA_DIR}, else the file's {@code data_dir} (relative
 * paths are resolved against the file's folder), else {@code $HOME/.eventdbx}.
 *
 * @param root the data directory
 * @param configFile the configuration file
 */
public record DataDirectory(Path root, Path configFile) {

    /** Name of the default data directory below the home directory. */
    public static final String DEFAULT_NAME = ".eventdbx";

    /** Normalises both paths. */
    public DataDirectory {
        root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        configFile = Objects.requireNonNull(configFile, "configFile")
                .toAbsolutePath()
                .normalize();
    }

    /**
     * Chooses the data directory and config file.
     *
     * @param dataDirFlag {@code --data-dir}, or null
     * @param configFlag {@code --config}, or null
     * @param environment the process environment
     * @param home the user's home directory
     * @return the locations
     * @throws ConfigException if the chosen config file is invalid
     */
    public static DataDirectory resolve(
            String dataDirFlag, String configFlag, Map<String, String> environment, Path home) {
        String envDir = environment.get(Setting.DATA_DIR.environmentVariable());
        String explicitDir = dataDirFlag != null ? dataDirFlag : (envDir == null || envDir.isEmpty() ? null : envDir);
        Path defaultDir = home.resolve(DEFAULT_NAME);
        Path config;
        if (configFlag != null) {
            config = Path.of(configFlag);
        } else if (explicitDir != null) {
            config = Path.of(explicitDir).resolve("config.toml");
        } else {
            config = defaultDir.resolve("config.toml");
        }
        Path root;
        if (explicitDir != null) {
            root = Path.of(explicitDir);
        } else {
            Object fromFile = new ConfigFile(config).read().get(Setting.DATA_DIR.key());
            if (fromFile != null) {
                String text = (String) Setting.DATA_DIR.parse(fromFile);
                root = config.toAbsolutePath().getParent().resolve(text);
            } else {
                root = defaultDir;
            }
        }
        return new DataDirectory(root, config);
    }

    /** The pid file of a running server: {@code {"pid":N,"started_at":"…","control":"host:port",…}}. */
    public Path pidFile() {
        return root.resolve("eventdbx.pid");
    }

    /** The server's log file. */
    public Path logFile() {
        return root.resolve("logs").resolve("eventdbx.log");
    }

    /** The owner-only administrator credential of the control socket. */
    public Path adminKeyFile() {
        return root.resolve("admin.key");
    }

    /** The folder whose bundles are installed, updated and removed live. */
    public Path deployDir() {
        return root.resolve("deploy");
    }

    /** The OSGi framework's cache, wiped at every boot. */
    public Path frameworkCache() {
        return root.resolve("cache").resolve("felix");
    }

    /** The lock file held by the one process that owns this data directory. */
    public Path lockFile() {
        return root.resolve(".lock");
    }

    /**
     * Creates the data directory (owner-only) and its standard folders if missing.
     *
     * @throws ConfigException if they cannot be created
     */
    public void prepare() {
        // Directories and files the data directory holds are the owner's only, whoever created them first.
        try {
            FilePermissions.createOwnerOnlyDirectory(root);
            FilePermissions.createOwnerOnlyDirectory(logFile().getParent());
            FilePermissions.createOwnerOnlyDirectory(deployDir());
            // what the operator made before the first start (0755 directories, a 0644 config.toml) is tightened
            FilePermissions.createOwnerOnlyDirectory(root.resolve("store"));
            if (configFile
                    .toAbsolutePath()
                    .normalize()
                    .startsWith(root.toAbsolutePath().normalize())) {
                FilePermissions.restrictToOwner(configFile);
            }
        } catch (IOException e) {
            throw new ConfigException("cannot create data directory " + root + ": " + e.getMessage(), e);
        }
    }

    /** The config file as a {@link ConfigFile}. */
    public ConfigFile config() {
        return new ConfigFile(configFile);
    }
}
