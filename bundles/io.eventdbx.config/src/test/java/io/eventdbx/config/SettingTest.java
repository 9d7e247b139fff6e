package io.eventdbx.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SettingTest {

    @Test
    void portAcceptsTheValidRange() {
        assertEquals(1, Setting.PORT.parse("1"));
        assertEquals(65535, Setting.PORT.parse(65535L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65536", "-1", "http", "", "70.5"})
    void portRejectsOutOfRangeAndNonNumbers(String value) {
        ConfigException e = assertThrows(ConfigException.class, () -> Setting.PORT.parse(value));
        assertTrue(e.getMessage().startsWith("invalid port '" + value + "'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-5", "many"})
    void sizesMustBePositive(String value) {
        assertThrows(ConfigException.class, () -> Setting.LIST_PAGE_SIZE.parse(value));
        assertThrows(ConfigException.class, () -> Setting.SNAPSHOT_THRESHOLD.parse(value));
    }

    @Test
    void restrictAcceptsModesAndAliases() {
        assertEquals(RestrictMode.OFF, Setting.RESTRICT.parse("false"));
        assertEquals(RestrictMode.OFF, Setting.RESTRICT.parse("off"));
        assertEquals(RestrictMode.DEFAULT, Setting.RESTRICT.parse("true"));
        assertEquals(RestrictMode.DEFAULT, Setting.RESTRICT.parse("Default"));
        assertEquals(RestrictMode.STRICT, Setting.RESTRICT.parse("strict"));
        ConfigException e = assertThrows(ConfigException.class, () -> Setting.RESTRICT.parse("paranoid"));
        assertTrue(e.getMessage().contains("unknown restriction mode 'paranoid'"), e.getMessage());
    }

    @Test
    void bindAddressesNeedHostAndPort() {
        assertEquals("127.0.0.1:0", Setting.SOCKET_BIND_ADDR.parse("127.0.0.1:0"));
        assertEquals(new BindAddress("::1", 6363), BindAddress.parse("k", "[::1]:6363"));
        assertThrows(ConfigException.class, () -> Setting.SOCKET_BIND_ADDR.parse("127.0.0.1"));
        assertThrows(ConfigException.class, () -> Setting.SOCKET_BIND_ADDR.parse("::1:6363"));
        assertThrows(ConfigException.class, () -> Setting.SOCKET_BIND_ADDR.parse("host:99999"));
    }

    @Test
    void booleansAreStrict() {
        assertEquals(Boolean.TRUE, Setting.API_REST.parse("TRUE"));
        assertThrows(ConfigException.class, () -> Setting.API_REST.parse("yes"));
    }

    @Test
    void environmentVariableNamesFollowTheKey() {
        assertEquals("EVENTDBX_SOCKET_BIND_ADDR", Setting.SOCKET_BIND_ADDR.environmentVariable());
        assertEquals("EVENTDBX_API_REST", Setting.API_REST.environmentVariable());
        assertEquals("EVENTDBX_DATA_DIR", Setting.DATA_DIR.environmentVariable());
    }

    @Test
    void apiSelection() {
        Map<Setting, Object> rest = ApiSelection.parse(List.of("rest"));
        assertEquals(Boolean.TRUE, rest.get(Setting.API_REST));
        assertEquals(Boolean.FALSE, rest.get(Setting.API_GRPC));
        Map<Setting, Object> all = ApiSelection.parse(List.of("all"));
        assertEquals(Boolean.TRUE, all.get(Setting.API_GRAPHQL));
        assertThrows(ConfigException.class, () -> ApiSelection.parse(List.of("soap")));
        assertThrows(ConfigException.class, () -> ApiSelection.parse(List.of()));
    }
}
