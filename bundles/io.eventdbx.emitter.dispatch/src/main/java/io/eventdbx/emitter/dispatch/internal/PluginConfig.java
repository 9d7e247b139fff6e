package io.eventdbx.emitter.dispatch.internal;

import java.util.List;
import java.util.Map;

/**
 * One plugin instance as {@code plugins.json} keeps it.
 *
 * @param name its name
 * @param type its emitter type
 * @param enabled whether it delivers
 * @param options option to values
 */
record PluginConfig(String name, String type, boolean enabled, Map<String, List<String>> options) {

    PluginConfig withEnabled(boolean flag) {
        return new PluginConfig(name, type, flag, options);
    }
}
