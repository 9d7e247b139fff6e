package io.eventdbx.emitter.api;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where installed plugin binaries live: {@code <data-dir>/plugins/<plugin>/<version>/<target>/}, with {@code
 * plugin.json} ({@code {"plugin", "version", "target", "bin"}}, {@code bin} a file in that folder). {@code dbx plugin
 * install} writes it; the process emitter reads it.
 */
public final class PluginLayout {

    /** The manifest's file name. */
    public static final String MANIFEST = "plugin.json";

    /** A plugin id or version: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private PluginLayout() {}

    /**
     * This machine's target folder name, in the seed's style ({@code x86_64-apple-darwin}, {@code
     * x86_64-unknown-linux-gnu}, {@code aarch64-unknown-linux-gnu}).
     *
     * @return the target
     */
    public static String target() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String cpu =
                arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") ? "aarch64" : arch;
        String system = os.contains("mac") ? "apple-darwin" : os.contains("linux") ? "unknown-linux-gnu" : os;
        return cpu + "-" + system;
    }

    /**
     * The folder of an installed version for this machine.
     *
     * @param dataDir the data directory
     * @param plugin the plugin id
     * @param version the version
     * @return the folder
     * @throws IllegalArgumentException if the id or version is not of the allowed form
     */
    public static Path folder(Path dataDir, String plugin, String version) {
        require("plugin id", plugin);
        require("version", version);
        return dataDir.resolve("plugins").resolve(plugin).resolve(version).resolve(target());
    }

    private static void require(String what, String value) {
        if (value == null || !ID.matcher(value).matches() || value.equals("..")) {
            throw new IllegalArgumentException("a " + what + " is 1 to 64 letters, digits, '.', '_' or '-', got '"
                    + (value == null ? "" : value.replaceAll("[^\\x20-\\x7e]", "?")) + "'");
        }
    }
}
