package io.eventdbx.emitter.api;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An {@link EmitterFactory} whose options are the elements of a configuration type, an annotation interface in the
 * way of a DS component property type: each element is an option ({@code workingDir} or {@code working_dir} is
 * {@code --working-dir}); {@code String}, {@code int} and {@code long} elements take a value, {@code boolean} ones are
 * switches, {@code String[]} ones are repeatable; an element without a default is required; {@link EmitterOption}
 * describes it. {@link #create(String, Annotation)} receives the options as an instance of the type.
 *
 * @param <C> the configuration type
 */
@ConsumerType
public abstract class ConfiguredEmitterFactory<C extends Annotation> implements EmitterFactory {

    private final Class<C> type;
    private final Map<String, Method> elements = new LinkedHashMap<>();
    private final List<Option> options = new ArrayList<>();

    /**
     * Reads the configuration type.
     *
     * @param type an annotation interface whose elements are the options
     * @throws IllegalArgumentException if an element has a type that cannot be an option
     */
    protected ConfiguredEmitterFactory(Class<C> type) {
        if (!type.isAnnotation()) {
            throw new IllegalArgumentException(type.getName() + " is not an annotation interface");
        }
        this.type = type;
        Method[] methods = type.getDeclaredMethods();
        Arrays.sort(methods, Comparator.comparing(Method::getName));
        for (Method m : methods) {
            Class<?> t = m.getReturnType();
            if (!(t == String.class
                    || t == int.class
                    || t == long.class
                    || t == boolean.class
                    || t == String[].class)) {
                throw new IllegalArgumentException(
                        type.getName() + "." + m.getName() + ": an option is a String, int, long, boolean or String[]");
            }
            String name = optionName(m.getName());
            EmitterOption info = m.getAnnotation(EmitterOption.class);
            boolean flag = t == boolean.class;
            boolean repeatable = t == String[].class;
            boolean required = m.getDefaultValue() == null && !flag && !repeatable;
            elements.put(name, m);
            options.add(new Option(
                    name,
                    info == null ? name : info.description(),
                    required,
                    repeatable,
                    flag,
                    info != null && info.secret()));
        }
    }

    /** {@code workingDir} and {@code working_dir} become {@code working-dir}. */
    static String optionName(String element) {
        StringBuilder out = new StringBuilder();
        for (char c : element.toCharArray()) {
            if (c == '_') {
                out.append('-');
            } else if (Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    @Override
    public final List<Option> options() {
        return List.copyOf(options);
    }

    @Override
    public final Emitter create(String name, Map<String, List<String>> given) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : given.entrySet()) {
            Method m = elements.get(e.getKey());
            if (m == null) {
                throw new IllegalArgumentException("--" + e.getKey() + " is not an option of type " + type());
            }
            values.put(m.getName(), parse(e.getKey(), m.getReturnType(), e.getValue()));
        }
        for (Map.Entry<String, Method> e : elements.entrySet()) {
            Method m = e.getValue();
            if (!values.containsKey(m.getName())) {
                Object fallback = m.getDefaultValue();
                if (fallback == null && m.getReturnType() == boolean.class) {
                    fallback = false;
                } else if (fallback == null && m.getReturnType() == String[].class) {
                    fallback = new String[0];
                }
                if (fallback == null) {
                    throw new IllegalArgumentException("--" + e.getKey() + " is required");
                }
                values.put(m.getName(), fallback);
            }
        }
        C config = type.cast(Proxy.newProxyInstance(
                type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> switch (method.getName()) {
                    case "annotationType" -> type;
                    case "toString" -> type.getSimpleName() + " of plugin " + name;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> {
                        Object v = values.get(method.getName());
                        yield v instanceof String[] array ? array.clone() : v;
                    }
                }));
        return create(name, config);
    }

    private static Object parse(String option, Class<?> t, List<String> values) {
        if (t == String[].class) {
            return values.toArray(String[]::new);
        }
        if (values.size() != 1) {
            throw new IllegalArgumentException("--" + option + " may be given only once");
        }
        String v = values.get(0);
        try {
            if (t == int.class) {
                return Integer.parseInt(v);
            }
            if (t == long.class) {
                return Long.parseLong(v);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + option + " must be a whole number, got '" + v + "'");
        }
        if (t == boolean.class) {
            if (!v.equals("true") && !v.equals("false")) {
                throw new IllegalArgumentException("--" + option + " is a switch (true or false), got '" + v + "'");
            }
            return Boolean.parseBoolean(v);
        }
        return v;
    }

    /**
     * Makes the instance from its checked configuration. Must not connect anywhere yet.
     *
     * @param name the instance's name
     * @param config its options
     * @return the instance
     * @throws IllegalArgumentException naming the option and what is wrong with its value
     */
    protected abstract Emitter create(String name, C config);
}
