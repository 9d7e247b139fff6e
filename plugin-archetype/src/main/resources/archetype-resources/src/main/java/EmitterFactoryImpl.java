package ${package};

import io.eventdbx.emitter.api.ConfiguredEmitterFactory;
import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.EmitterFactory;
import io.eventdbx.emitter.api.EmitterOption;
import io.eventdbx.emitter.api.Envelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * The '${emitterType}' plugin type: appends each event's EventRecord JSON as one line to a file. Replace the body of
 * deliver() with what your receiver needs; keep its rules: answer, never retry on your own (the dispatcher retries
 * with backoff and keeps order per aggregate), and never throw for a receiver's failure.
 *
 * <p>Install: drop the built jar into the server's deploy folder (or run dbx bundle install), then
 * dbx plugin config ${emitterType} --name my-${emitterType} --path /tmp/events.jsonl
 */
@Component(service = EmitterFactory.class)
public final class EmitterFactoryImpl extends ConfiguredEmitterFactory<EmitterFactoryImpl.Config> {

    /** The options of an instance: dbx plugin config ${emitterType} --path FILE [--sync]. */
    public @interface Config {
        /** @return the file */
        @EmitterOption(description = "the file each event is appended to, one JSON line each")
        String path();

        /** @return whether to force each batch to disk */
        @EmitterOption(description = "force each batch to disk before answering")
        boolean sync();
    }

    /** Declares the options. */
    public EmitterFactoryImpl() {
        super(Config.class);
    }

    @Override
    public String type() {
        return "${emitterType}";
    }

    @Override
    public String description() {
        return "Appends each event's JSON as a line to a file";
    }

    @Override
    protected Emitter create(String name, Config config) {
        Path file = Path.of(config.path());
        if (!file.isAbsolute()) {
            throw new IllegalArgumentException("--path must be an absolute path, got '" + config.path() + "'");
        }
        boolean sync = config.sync();
        return new Emitter() {
            @Override
            public Delivery deliver(List<Envelope> batch) {
                StringBuilder lines = new StringBuilder();
                for (Envelope e : batch) {
                    lines.append(e.json()).append('\n');
                }
                try {
                    if (sync) {
                        Files.writeString(file, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND, StandardOpenOption.SYNC);
                    } else {
                        Files.writeString(file, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND);
                    }
                    return Delivery.delivered(batch.size());
                } catch (IOException e) {
                    // not this event's fault: the dispatcher stops and probes until the file can be written
                    return Delivery.unreachable(0, "cannot write " + file + ": " + e.getMessage());
                }
            }

            @Override
            public void check() throws IOException {
                Path dir = file.toAbsolutePath().getParent();
                if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
                    throw new IOException("the folder of " + file + " does not exist or is not writable");
                }
            }
        };
    }
}
