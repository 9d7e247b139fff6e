package io.eventdbx.config;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Computes the {@link EffectiveConfig}: defaults, then config.toml, then {@code EVENTDBX_*} environment
 * variables, then command-line flags; a later source wins.
 */
public final class ConfigLoader {

    private ConfigLoader() {}

    /**
     * Loads the configuration.
     *
     * @param file the config file (it need not exist)
     * @param environment the process environment
     * @param flags settings given on the command line, by key ({@code port}, {@code api.rest}), as text
     * @return the effective configuration
     * @throws ConfigException naming the source and setting of the first invalid value
     */
    public static EffectiveConfig load(ConfigFile file, Map<String, String> environment, Map<String, String> flags) {
        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        Map<Setting, EffectiveConfig.Source> sources = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            values.put(setting, setting.defaultValue());
            sources.put(setting, EffectiveConfig.Source.DEFAULT);
        }
        Map<String, Object> unknown = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : file.read().entrySet()) {
            Setting setting = Setting.byKey(entry.getKey());
            if (setting == null) {
                unknown.put(entry.getKey(), entry.getValue());
                continue;
            }
            values.put(setting, parse(setting, entry.getValue(), "in " + file.path()));
            sources.put(setting, EffectiveConfig.Source.FILE);
        }
        for (Setting setting : Setting.values()) {
            String value = environment.get(setting.environmentVariable());
            if (value != null && !value.isEmpty()) {
                values.put(setting, parse(setting, value, "in environment variable " + setting.environmentVariable()));
                sources.put(setting, EffectiveConfig.Source.ENVIRONMENT);
            }
        }
        for (Map.Entry<String, String> entry : flags.entrySet()) {
            Setting setting = Setting.byKey(entry.getKey());
            if (setting == null) {
                throw new ConfigException("unknown setting '" + entry.getKey() + "'");
            }
            values.put(setting, parse(setting, entry.getValue(), "on the command line"));
            sources.put(setting, EffectiveConfig.Source.FLAG);
        }
        return new EffectiveConfig(values, sources, unknown);
    }

    private static Object parse(Setting setting, Object raw, String where) {
        try {
            return setting.parse(raw);
        } catch (ConfigException e) {
            throw new ConfigException(e.getMessage() + " (" + where + ")", e);
        }
    }
}
