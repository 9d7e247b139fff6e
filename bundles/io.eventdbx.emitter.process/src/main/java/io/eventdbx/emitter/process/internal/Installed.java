package io.eventdbx.emitter.process.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventdbx.emitter.api.PluginLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where an installed plugin version lives: {@code <data-dir>/plugins/<plugin>/<version>/<target>/}, with {@code
 * plugin.json} naming its binary ({@code {"bin": "<file in that folder>"}}), as {@code dbx plugin install} leaves it.
 *
 * @param folder the version's folder for this machine's target
 * @param plugin the plugin id
 * @param version the version
 */
record Installed(Path folder, String plugin, String version) {

    static Installed resolve(Path dataDir, String plugin, String version) {
        try {
            return new Installed(PluginLayout.folder(dataDir, plugin, version), plugin, version);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--plugin and --version: " + e.getMessage());
        }
    }

    /** The binary, checked: present, inside the folder, executable. */
    Path binary() throws IOException {
        Path manifest = folder.resolve(PluginLayout.MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new IOException("plugin " + plugin + " " + version + " is not installed for " + PluginLayout.target()
                    + "; run dbx plugin install " + plugin + " " + version + " --source <path|url>");
        }
        JsonNode node = new ObjectMapper().readTree(manifest.toFile());
        String bin = node.path("bin").asText("");
        Path binary = folder.resolve(bin).normalize();
        if (bin.isEmpty() || !binary.startsWith(folder)) {
            throw new IOException(manifest + " names no binary inside its folder");
        }
        if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
            throw new IOException(
                    "the binary " + binary + " of plugin " + plugin + " " + version + " is missing or not executable");
        }
        return binary;
    }
}
