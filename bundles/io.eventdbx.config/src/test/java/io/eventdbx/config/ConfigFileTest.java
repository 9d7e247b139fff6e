package io.eventdbx.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {

    @TempDir
    Path dir;

    @Test
    void missingFileReadsAsEmpty() {
        assertTrue(new ConfigFile(dir.resolve("config.toml")).read().isEmpty());
    }

    @Test
    void updateKeepsUnknownKeysAndWritesTables() throws Exception {
        Path file = dir.resolve("config.toml");
        Files.writeString(file, "future_setting = \"x\"\nport = 7070\n[api]\ngrpc = false\n");
        ConfigFile config = new ConfigFile(file);
        Map<Setting, Object> changes = new LinkedHashMap<>();
        changes.put(Setting.PORT, "8080");
        changes.put(Setting.API_REST, "false");
        changes.put(Setting.SOCKET_BIND_ADDR, "127.0.0.1:0");
        config.update(changes);
        Map<String, Object> read = config.read();
        assertEquals(8080L, read.get("port"));
        assertEquals("x", read.get("future_setting"));
        assertEquals(false, read.get("api.rest"));
        assertEquals(false, read.get("api.grpc"));
        assertEquals("127.0.0.1:0", read.get("socket.bind_addr"));
        assertFalse(FilePermissions.isExposed(file), "config.toml may hold secrets: owner-only");
    }

    @Test
    void anInvalidValueLeavesTheFileUntouched() throws Exception {
        Path file = dir.resolve("config.toml");
        String original = "port = 7070\nrestrict = \"strict\"\n";
        Files.writeString(file, original);
        Map<Setting, Object> changes = new LinkedHashMap<>();
        changes.put(Setting.RESTRICT, "off");
        changes.put(Setting.PORT, "0");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigFile(file).update(changes));
        assertTrue(e.getMessage().contains("invalid port '0'"), e.getMessage());
        assertEquals(original, Files.readString(file));
        assertEquals(
                List.of("config.toml"),
                Files.list(dir).map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void unsetRemovesTheKey() {
        ConfigFile config = new ConfigFile(dir.resolve("config.toml"));
        config.update(Map.of(Setting.PAGE_LIMIT, "50"));
        Map<Setting, Object> unset = new LinkedHashMap<>();
        unset.put(Setting.PAGE_LIMIT, null);
        config.update(unset);
        assertFalse(config.read().containsKey("page_limit"));
        config.update(Map.of(Setting.API_GRPC, "false"));
        Map<Setting, Object> unsetTable = new LinkedHashMap<>();
        unsetTable.put(Setting.API_GRPC, null);
        config.update(unsetTable);
        assertTrue(config.read().isEmpty(), "an emptied table is removed and the file stays valid TOML");
    }

    @Test
    void brokenTomlIsReportedWithTheFileName() throws Exception {
        Path file = dir.resolve("config.toml");
        Files.writeString(file, "port = = 3\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigFile(file).read());
        assertTrue(
                e.getMessage().contains(file.toString()) && e.getMessage().contains("not valid TOML"), e.getMessage());
    }
}
