package io.eventdbx.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code config.toml} file: reading it as flat dotted keys, and replacing it atomically with updated
 * values.
 *
 * <p>Keys this version does not know are kept when the file is rewritten (a newer version may have written
 * them). The file is written to a temporary sibling with owner-only permissions and then moved over the old
 * one, so a crash never leaves half a file.
 */
public final class ConfigFile {

    private static final TomlMapper TOML = new TomlMapper();

    private final Path path;

    /**
     * Refers to a file, which need not exist yet.
     *
     * @param path where config.toml is
     */
    public ConfigFile(Path path) {
        this.path = Objects.requireNonNull(path, "path").toAbsolutePath().normalize();
    }

    /** The file's absolute path. */
    public Path path() {
        return path;
    }

    /**
     * Reads every key of the file, tables flattened to dotted keys.
     *
     * @return key to value (String, Number, Boolean or List); empty if the file does not exist
     * @throws ConfigException if the file cannot be read or is not valid TOML
     */
    public Map<String, Object> read() {
        Map<String, Object> flat = new LinkedHashMap<>();
        flatten("", readTree(), flat);
        return flat;
    }

    /**
     * Writes the given settings into the file, keeping every other key. Values are validated first; if any is
     * invalid, the file is left untouched.
     *
     * @param changes settings and their new values (typed or text); a {@code null} value removes the key
     * @throws ConfigException if a value is invalid or the file cannot be written
     */
    public void update(Map<Setting, Object> changes) {
        Map<Setting, Object> typed = new LinkedHashMap<>();
        changes.forEach((setting, value) -> typed.put(setting, value == null ? null : setting.parse(value)));
        ObjectNode tree = readTree();
        typed.forEach((setting, value) -> put(tree, setting.key(), value));
        write(tree);
    }

    private ObjectNode readTree() {
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            return JsonNodeFactory.instance.objectNode();
        } catch (IOException e) {
            throw new ConfigException("cannot read " + path + ": " + e.getMessage(), e);
        }
        try {
            JsonNode node = TOML.readTree(text);
            return node instanceof ObjectNode object ? object : JsonNodeFactory.instance.objectNode();
        } catch (JacksonException e) {
            throw new ConfigException(path + " is not valid TOML: " + e.getOriginalMessage(), e);
        }
    }

    private void write(ObjectNode tree) {
        try {
            Path dir = path.getParent();
            Files.createDirectories(dir);
            Path temp = dir.resolve(path.getFileName() + ".tmp");
            Files.deleteIfExists(temp);
            FilePermissions.createOwnerOnlyFile(temp);
            // Jackson renders an empty root as " = {}", which is not TOML: an empty file is.
            Files.writeString(temp, tree.isEmpty() ? "" : TOML.writeValueAsString(tree));
            try {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (FileAlreadyExistsException e) {
            throw new ConfigException("cannot write " + path + ": a temporary file is in the way: " + e.getFile(), e);
        } catch (IOException e) {
            throw new ConfigException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    private static void put(ObjectNode root, String dottedKey, Object value) {
        String[] parts = dottedKey.split("\\.");
        ObjectNode table = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = table.get(parts[i]);
            if (!(child instanceof ObjectNode)) {
                child = table.putObject(parts[i]);
            }
            table = (ObjectNode) child;
        }
        String leaf = parts[parts.length - 1];
        if (value == null) {
            table.remove(leaf);
            if (table.isEmpty() && table != root) {
                root.remove(parts[0]);
            }
        } else if (value instanceof Integer i) {
            table.put(leaf, i);
        } else if (value instanceof Long l) {
            table.put(leaf, l);
        } else if (value instanceof Boolean b) {
            table.put(leaf, b);
        } else if (value instanceof RestrictMode mode) {
            table.put(leaf, mode.label());
        } else {
            table.put(leaf, value.toString());
        }
    }

    private static void flatten(String prefix, JsonNode node, Map<String, Object> into) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                flatten(key + ".", value, into);
            } else {
                into.put(key, scalar(value));
            }
        }
    }

    private static Object scalar(JsonNode value) {
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isIntegralNumber()) {
            return value.longValue();
        }
        if (value.isNumber()) {
            return value.doubleValue();
        }
        if (value.isArray()) {
            List<Object> items = new ArrayList<>();
            value.forEach(item -> items.add(scalar(item)));
            return items;
        }
        return value.asText();
    }
}
