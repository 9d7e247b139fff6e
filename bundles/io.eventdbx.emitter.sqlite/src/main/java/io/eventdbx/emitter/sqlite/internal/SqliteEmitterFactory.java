package io.eventdbx.emitter.sqlite.internal;

import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.EmitterFactory;
import io.eventdbx.sink.sql.ReadModel;
import io.eventdbx.sink.sql.SqlEmitter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.sqlite.SQLiteDataSource;

/**
 * {@code dbx plugin sqlite --path <file>} (or {@code dbx plugin config sqlite --name <label> --path …}): the read model
 * of {@link ReadModel} in an SQLite file, in write-ahead-log mode so that readers may read while it writes, each
 * transaction synced before the event counts as delivered.
 */
@Component(service = EmitterFactory.class)
public final class SqliteEmitterFactory implements EmitterFactory {

    @Override
    public String type() {
        return "sqlite";
    }

    @Override
    public String description() {
        return "A read model of current state per aggregate type in an SQLite file (upserts guarded by version)";
    }

    @Override
    public List<Option> options() {
        List<Option> options = new ArrayList<>();
        options.add(new Option("path", "the database file (an absolute path)", true, false, false, false));
        options.addAll(ReadModel.Settings.OPTIONS);
        return options;
    }

    @Override
    public Emitter create(String name, Map<String, List<String>> options) {
        List<String> paths = options.get("path");
        if (paths == null || paths.isEmpty() || paths.get(0).isBlank()) {
            throw new IllegalArgumentException("--path is required");
        }
        Path file = Path.of(paths.get(0));
        if (!file.isAbsolute()) {
            throw new IllegalArgumentException("--path must be an absolute file path, got '" + paths.get(0) + "'");
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("--path " + file + " is a directory: name the database file");
        }
        SQLiteDataSource source = new SQLiteDataSource();
        source.setUrl("jdbc:sqlite:" + file);
        SqlEmitter.Connector connector = () -> {
            try {
                Files.createDirectories(file.getParent());
            } catch (IOException e) {
                throw new SQLException("cannot create the folder of " + file + ": " + e.getMessage(), "08001", e);
            }
            Connection connection = source.getConnection();
            try (Statement pragmas = connection.createStatement()) {
                pragmas.execute("PRAGMA journal_mode=WAL");
                pragmas.execute("PRAGMA synchronous=FULL"); // delivered means on disk
                pragmas.execute("PRAGMA busy_timeout=5000");
            }
            return connection;
        };
        return new SqlEmitter("SQLite file " + file, connector, new ReadModel(ReadModel.Settings.from(options)));
    }
}
