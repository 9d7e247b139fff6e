package io.eventdbx.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void defaultsMatchTheSeed() {
        EffectiveConfig config = ConfigLoader.load(new ConfigFile(dir.resolve("none.toml")), Map.of(), Map.of());
        assertEquals(7070, config.port());
        assertEquals(RestrictMode.DEFAULT, config.restrict());
        assertEquals(10, config.get(Setting.LIST_PAGE_SIZE));
        assertEquals(1000, config.get(Setting.PAGE_LIMIT));
        assertEquals(10, config.get(Setting.PLUGIN_MAX_ATTEMPTS));
        assertEquals(262_144, config.get(Setting.MAX_PAYLOAD_BYTES));
        assertEquals(null, config.get(Setting.SNAPSHOT_THRESHOLD));
        assertEquals(List.of("rest", "graphql", "grpc"), config.apis());
        assertEquals(new BindAddress("127.0.0.1", 6363), config.socketBindAddress());
    }

    @Test
    void flagsBeatEnvironmentBeatsFileBeatsDefault() throws Exception {
        Path file = dir.resolve("config.toml");
        Files.writeString(file, "port = 7100\npage_limit = 300\nlist_page_size = 20\n");
        Map<String, String> env = Map.of("EVENTDBX_PORT", "7200", "EVENTDBX_PAGE_LIMIT", "400");
        EffectiveConfig config = ConfigLoader.load(new ConfigFile(file), env, Map.of("port", "7300"));
        assertEquals(7300, config.port());
        assertEquals(EffectiveConfig.Source.FLAG, config.source(Setting.PORT));
        assertEquals(400, config.get(Setting.PAGE_LIMIT));
        assertEquals(EffectiveConfig.Source.ENVIRONMENT, config.source(Setting.PAGE_LIMIT));
        assertEquals(20, config.get(Setting.LIST_PAGE_SIZE));
        assertEquals(EffectiveConfig.Source.FILE, config.source(Setting.LIST_PAGE_SIZE));
        assertEquals(EffectiveConfig.Source.DEFAULT, config.source(Setting.PLUGIN_MAX_ATTEMPTS));
    }

    @Test
    void graphqlLimitsComeFromTheirTableOrTheEnvironment() throws Exception {
        Path file = dir.resolve("config.toml");
        Files.writeString(file, "[graphql]\nmax_depth = 20\nmax_aliases = 5\n");
        EffectiveConfig config =
                ConfigLoader.load(new ConfigFile(file), Map.of("EVENTDBX_GRAPHQL_MAX_COST", "900"), Map.of());
        assertEquals(20, config.get(Setting.GRAPHQL_MAX_DEPTH));
        assertEquals(5, config.get(Setting.GRAPHQL_MAX_ALIASES));
        assertEquals(900, config.get(Setting.GRAPHQL_MAX_COST));
        assertEquals(1_048_576, config.get(Setting.GRAPHQL_MAX_REQUEST_BYTES));
        Files.writeString(file, "[graphql]\nmax_depth = 0\n");
        ConfigException refused =
                assertThrows(ConfigException.class, () -> ConfigLoader.load(new ConfigFile(file), Map.of(), Map.of()));
        assertTrue(refused.getMessage().contains("graphql.max_depth"), refused.getMessage());
    }

    @Test
    void grpcSharesTheHttpListenerUnlessItsBindAddressNamesAnotherPort() throws Exception {
        Path file = dir.resolve("config.toml");
        Files.writeString(file, "port = 8080\n");
        assertTrue(
                ConfigLoader.load(new ConfigFile(file), Map.of(), Map.of())
                        .grpcListener()
                        .isEmpty(),
                "the default 0.0.0.0:7070 does not open a listener of its own");
        Files.writeString(file, "port = 8080\n[grpc]\nbind_addr = \"0.0.0.0:8080\"\n");
        assertTrue(
                ConfigLoader.load(new ConfigFile(file), Map.of(), Map.of())
                        .grpcListener()
                        .isEmpty(),
                "same port");
        Files.writeString(file, "port = 8080\n[grpc]\nbind_addr = \"127.0.0.1:7071\"\n");
        assertEquals(
                new BindAddress("127.0.0.1", 7071),
                ConfigLoader.load(new ConfigFile(file), Map.of(), Map.of())
                        .grpcListener()
                        .orElseThrow());
        assertTrue(
                ConfigLoader.load(new ConfigFile(file), Map.of(), Map.of("api.grpc", "false"))
                        .grpcListener()
                        .isEmpty(),
                "no gRPC, no listener");
    }

    @Test
    void errorsNameTheSource() throws Exception {
        Path file = dir.resolve("config.toml");
        Files.writeString(file, "page_limit = -3\n");
        ConfigException fromFile =
                assertThrows(ConfigException.class, () -> ConfigLoader.load(new ConfigFile(file), Map.of(), Map.of()));
        assertTrue(
                fromFile.getMessage().contains("page_limit")
                        && fromFile.getMessage().contains(file.toString()),
                fromFile.getMessage());
        ConfigException fromEnv = assertThrows(
                ConfigException.class,
                () -> ConfigLoader.load(
                        new ConfigFile(dir.resolve("x.toml")), Map.of("EVENTDBX_RESTRICT", "maybe"), Map.of()));
        assertTrue(fromEnv.getMessage().contains("EVENTDBX_RESTRICT"), fromEnv.getMessage());
    }

    @Test
    void secretsAreMaskedAndUnknownKeysReported() throws Exception {
        Path file = dir.resolve("config.toml");
        Files.writeString(
                file, "dek = \"s3cr3t-dek\"\nmaster_key = \"s3cr3t-master\"\n[plugins]\nhttp_token = \"abc\"\n");
        EffectiveConfig config = ConfigLoader.load(new ConfigFile(file), Map.of(), Map.of());
        assertEquals(List.of("dek", "master_key", "plugins.http_token"), config.unknownKeys());
        String described = config.describe().toString();
        assertTrue(!described.contains("s3cr3t") && !described.contains("abc"), described);
        assertTrue(described.contains("********"), described);
    }
}
