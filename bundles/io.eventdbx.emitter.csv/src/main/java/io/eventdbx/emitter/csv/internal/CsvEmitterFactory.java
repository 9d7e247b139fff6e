package io.eventdbx.emitter.csv.internal;

import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.EmitterFactory;
import io.eventdbx.emitter.api.Envelope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * {@code dbx plugin csv --output-dir <dir>} (or {@code dbx plugin config csv --name <label> --output-dir …}): the files
 * of {@link CsvModel} in a folder. A file that cannot be written (a full disk, a folder gone) makes the instance wait
 * and try again, costing no attempts; what was written before the failure is not written twice.
 */
@Component(service = EmitterFactory.class)
public final class CsvEmitterFactory implements EmitterFactory {

    @Override
    public String type() {
        return "csv";
    }

    @Override
    public String description() {
        return "Per aggregate type, an append-only CSV of changes and a CSV of current state";
    }

    @Override
    public List<Option> options() {
        return List.of(
                new Option("output-dir", "the folder of the files (an absolute path)", true, false, false, false));
    }

    @Override
    public Emitter create(String name, Map<String, List<String>> options) {
        List<String> dirs = options.get("output-dir");
        if (dirs == null || dirs.isEmpty() || dirs.get(0).isBlank()) {
            throw new IllegalArgumentException("--output-dir is required");
        }
        Path dir = Path.of(dirs.get(0));
        if (!dir.isAbsolute()) {
            throw new IllegalArgumentException("--output-dir must be an absolute path, got '" + dirs.get(0) + "'");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--output-dir " + dir + " is a file, not a folder");
        }
        return new CsvEmitter(dir);
    }

    /** One instance's folder. */
    static final class CsvEmitter implements Emitter {
        private final Path dir;
        private final CsvModel model;

        CsvEmitter(Path dir) {
            this.dir = dir;
            this.model = new CsvModel(dir);
        }

        @Override
        public Delivery deliver(List<Envelope> batch) {
            try {
                Files.createDirectories(dir);
                model.apply(batch);
                return Delivery.delivered(batch.size());
            } catch (IOException e) {
                model.forget(); // what reached the files is read back: it is skipped when it comes again
                return Delivery.unreachable(0, "cannot write to " + dir + ": " + e);
            } catch (IllegalArgumentException e) {
                model.forget();
                return Delivery.failed(0, e.getMessage());
            }
        }

        @Override
        public void check() throws IOException {
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new IOException(dir + " is not writable");
            }
        }
    }
}
