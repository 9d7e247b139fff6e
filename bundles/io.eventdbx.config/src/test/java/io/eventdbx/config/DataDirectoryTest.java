package io.eventdbx.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {

    @TempDir
    Path home;

    @Test
    void defaultsToDotEventdbxInHome() {
        DataDirectory dir = DataDirectory.resolve(null, null, Map.of(), home);
        assertEquals(home.resolve(".eventdbx"), dir.root());
        assertEquals(home.resolve(".eventdbx/config.toml"), dir.configFile());
    }

    @Test
    void flagBeatsEnvironmentAndCarriesTheConfigFile() {
        Map<String, String> env =
                Map.of("EVENTDBX_DATA_DIR", home.resolve("env").toString());
        assertEquals(
                home.resolve("env/config.toml"),
                DataDirectory.resolve(null, null, env, home).configFile());
        DataDirectory dir = DataDirectory.resolve(home.resolve("flag").toString(), null, env, home);
        assertEquals(home.resolve("flag"), dir.root());
        assertEquals(home.resolve("flag/config.toml"), dir.configFile());
    }

    @Test
    void aConfigFileElsewhereNamesTheDataDirectory() throws Exception {
        Path etc = Files.createDirectories(home.resolve("etc"));
        Files.writeString(etc.resolve("dbx.toml"), "data_dir = \"../var/dbx\"\n");
        DataDirectory dir = DataDirectory.resolve(null, etc.resolve("dbx.toml").toString(), Map.of(), home);
        assertEquals(home.resolve("var/dbx"), dir.root());
    }

    @Test
    void prepareCreatesAnOwnerOnlyDirectory() throws Exception {
        DataDirectory dir = DataDirectory.resolve(home.resolve("data").toString(), null, Map.of(), home);
        dir.prepare();
        assertFalse(FilePermissions.isExposed(dir.root()));
        assertEquals(true, Files.isDirectory(dir.deployDir()));
    }
}
