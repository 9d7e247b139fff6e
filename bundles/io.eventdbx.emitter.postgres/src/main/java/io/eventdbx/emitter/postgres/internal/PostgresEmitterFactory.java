package io.eventdbx.emitter.postgres.internal;

import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.EmitterFactory;
import io.eventdbx.sink.sql.ReadModel;
import io.eventdbx.sink.sql.SqlEmitter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code dbx plugin postgres --connection <connection-string>} (or {@code dbx plugin config postgres --name <label>
 * --connection …}): the read model of {@link ReadModel} in PostgreSQL. The connection string is a
 * {@code postgresql://user:password@host:port/database?param=value} URI or a {@code jdbc:postgresql:} URL; it is a
 * secret option (never listed or logged), and messages name only host, port and database.
 */
@Component(service = EmitterFactory.class)
public final class PostgresEmitterFactory implements EmitterFactory {

    @Override
    public String type() {
        return "postgres";
    }

    @Override
    public String description() {
        return "A read model of current state per aggregate type in PostgreSQL (upserts guarded by version)";
    }

    @Override
    public List<Option> options() {
        List<Option> options = new ArrayList<>();
        options.add(new Option(
                "connection",
                "postgresql://user:password@host:port/database or a jdbc:postgresql: URL",
                true,
                false,
                false,
                true));
        options.addAll(ReadModel.Settings.OPTIONS);
        return options;
    }

    @Override
    public Emitter create(String name, Map<String, List<String>> options) {
        List<String> connection = options.get("connection");
        if (connection == null || connection.isEmpty() || connection.get(0).isBlank()) {
            throw new IllegalArgumentException("--connection is required");
        }
        PGSimpleDataSource source = dataSource(connection.get(0));
        source.setApplicationName("eventdbx-" + name);
        source.setConnectTimeout(5);
        source.setSocketTimeout(60);
        source.setTcpKeepAlive(true);
        String target = "PostgreSQL at " + String.join(",", source.getServerNames()) + ":" + source.getPortNumbers()[0]
                + "/" + source.getDatabaseName();
        return new SqlEmitter(target, source::getConnection, new ReadModel(ReadModel.Settings.from(options)));
    }

    /** A data source for a connection string, its password set apart from the URL. */
    static PGSimpleDataSource dataSource(String text) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        String url;
        if (text.startsWith("jdbc:postgresql:")) {
            url = text;
        } else if (text.startsWith("postgresql://") || text.startsWith("postgres://")) {
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("--connection is not a valid URI (" + e.getReason() + ")");
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException(
                        "--connection needs a host: postgresql://user:password@host:5432/db");
            }
            String path = uri.getRawPath() == null || uri.getRawPath().length() <= 1 ? "/" : uri.getRawPath();
            url = "jdbc:postgresql://" + uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : 5432) + path
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            String userInfo = uri.getRawUserInfo();
            if (userInfo != null) {
                int colon = userInfo.indexOf(':');
                source.setUser(decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
                if (colon >= 0) {
                    source.setPassword(decode(userInfo.substring(colon + 1)));
                }
            }
        } else {
            throw new IllegalArgumentException(
                    "--connection must be postgresql://user:password@host:port/database or a jdbc:postgresql: URL");
        }
        try {
            source.setURL(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--connection is not a PostgreSQL address: " + e.getMessage());
        }
        if (source.getServerNames() == null || source.getServerNames().length == 0) {
            throw new IllegalArgumentException("--connection names no host");
        }
        return source;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
