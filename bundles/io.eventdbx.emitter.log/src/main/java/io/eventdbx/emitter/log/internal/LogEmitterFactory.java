package io.eventdbx.emitter.log.internal;

import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.EmitterFactory;
import io.eventdbx.emitter.api.Envelope;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code dbx plugin config log --name <label> --level <trace|debug|info|warn|error> [--template "..."]}: a line per
 * event in the server log, by default {@code aggregate=<type> id=<id> event=<event>}. The template's placeholders are
 * {@code {aggregate}}, {@code {id}}, {@code {event}}, {@code {version}} and {@code {event_id}}; never the payload.
 */
@Component(service = EmitterFactory.class)
public final class LogEmitterFactory implements EmitterFactory {

    static final String DEFAULT_TEMPLATE = "aggregate={aggregate} id={id} event={event}";
    private static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error");

    private final BiConsumer<String, String> sink;

    /** The factory of the server: lines go to the logger {@code io.eventdbx.plugin.<name>}. */
    public LogEmitterFactory() {
        this(null);
    }

    /** A factory whose lines go to a sink (level, line) instead of the log: for tests. */
    LogEmitterFactory(BiConsumer<String, String> sink) {
        this.sink = sink;
    }

    @Override
    public String type() {
        return "log";
    }

    @Override
    public String description() {
        return "A line per event in the server log, at a level, from a template";
    }

    @Override
    public List<Option> options() {
        return List.of(
                new Option("level", "trace, debug, info, warn or error", true, false, false, false),
                new Option(
                        "template",
                        "the line, with {aggregate} {id} {event} {version} {event_id}; default " + DEFAULT_TEMPLATE,
                        false,
                        false,
                        false,
                        false));
    }

    @Override
    public Emitter create(String name, Map<String, List<String>> options) {
        List<String> levels = options.get("level");
        if (levels == null || levels.isEmpty()) {
            throw new IllegalArgumentException("--level is required: one of " + String.join(", ", LEVELS));
        }
        String level = levels.get(0).toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw new IllegalArgumentException(
                    "--level must be one of " + String.join(", ", LEVELS) + ", got '" + levels.get(0) + "'");
        }
        String template =
                options.getOrDefault("template", List.of(DEFAULT_TEMPLATE)).get(0);
        if (template.isBlank() || template.length() > 1024) {
            throw new IllegalArgumentException("--template must be 1 to 1024 characters");
        }
        Logger logger = LoggerFactory.getLogger("io.eventdbx.plugin." + name);
        BiConsumer<String, String> out = sink != null ? sink : (lvl, line) -> log(logger, lvl, line);
        return new Emitter() {
            @Override
            public Delivery deliver(List<Envelope> batch) {
                for (Envelope e : batch) {
                    out.accept(level, render(template, e));
                }
                return Delivery.delivered(batch.size());
            }
        };
    }

    static String render(String template, Envelope e) {
        return template.replace("{aggregate}", e.aggregateType())
                .replace("{id}", e.aggregateId())
                .replace("{event}", e.eventType())
                .replace("{version}", Long.toString(e.version()))
                .replace("{event_id}", e.eventId());
    }

    private static void log(Logger logger, String level, String line) {
        switch (level) {
            case "trace" -> logger.trace("{}", line);
            case "debug" -> logger.debug("{}", line);
            case "info" -> logger.info("{}", line);
            case "warn" -> logger.warn("{}", line);
            default -> logger.error("{}", line);
        }
    }
}
