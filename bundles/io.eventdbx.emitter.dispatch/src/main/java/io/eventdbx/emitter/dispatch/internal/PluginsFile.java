package io.eventdbx.emitter.dispatch.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code <data-dir>/plugins.json}: the plugin instances, owner-only (their options may hold credentials), replaced
 * atomically (written beside, then renamed) so that a crash leaves the old file or the new one.
 */
final class PluginsFile {

    private static final TypeReference<Map<String, List<String>>> OPTIONS = new TypeReference<>() {};
    private final ObjectMapper json = new ObjectMapper();
    private final Path file;

    PluginsFile(Path file) {
        this.file = file;
    }

    Path path() {
        return file;
    }

    Map<String, PluginConfig> load() throws IOException {
        Map<String, PluginConfig> out = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        JsonNode root;
        try {
            root = json.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        for (JsonNode n : root.path("plugins")) {
            String name = n.path("name").asText("");
            String type = n.path("type").asText("");
            if (name.isEmpty() || type.isEmpty()) {
                throw new IOException(file + ": a plugin without a name or a type");
            }
            Map<String, List<String>> options = json.convertValue(n.path("options"), OPTIONS);
            out.put(
                    name,
                    new PluginConfig(
                            name, type, n.path("enabled").asBoolean(false), options == null ? Map.of() : options));
        }
        return out;
    }

    void save(Map<String, PluginConfig> plugins) throws IOException {
        ObjectNode root = json.createObjectNode();
        ArrayNode list = root.putArray("plugins");
        for (PluginConfig p : plugins.values()) {
            ObjectNode n = list.addObject();
            n.put("name", p.name());
            n.put("type", p.type());
            n.put("enabled", p.enabled());
            n.set("options", json.valueToTree(p.options()));
        }
        Files.createDirectories(file.getParent());
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.deleteIfExists(next);
        try {
            Files.createFile(next, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
            Files.writeString(next, "");
        }
        Files.write(next, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        try {
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
