package io.eventdbx.emitter.grpc.internal;

import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.EmitterFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * {@code dbx plugin config grpc --name <label> --endpoint <host|url>}: batches of {@code EventRecord}s to a remote
 * {@code dbx.replication.Replication/ApplyEvents} (docs/proto/dbx/replication/replication.proto). {@code grpc://host:port}
 * (or a bare {@code host:port}) speaks cleartext HTTP/2, {@code grpcs://host:port} TLS with the JDK's trusted roots.
 */
@Component(service = EmitterFactory.class)
public final class GrpcEmitterFactory implements EmitterFactory {

    @Override
    public String type() {
        return "grpc";
    }

    @Override
    public String description() {
        return "EventRecord batches to a remote Replication/ApplyEvents";
    }

    @Override
    public List<Option> options() {
        return List.of(new Option(
                "endpoint", "grpc://host:port, grpcs://host:port (TLS) or host:port", true, false, false, false));
    }

    @Override
    public Emitter create(String name, Map<String, List<String>> options) {
        List<String> endpoints = options.get("endpoint");
        if (endpoints == null || endpoints.isEmpty() || endpoints.get(0).isBlank()) {
            throw new IllegalArgumentException("--endpoint is required");
        }
        return new GrpcEmitter(name, endpoint(endpoints.get(0)));
    }

    /** The endpoint as a URI with scheme grpc or grpcs, a host and a port. */
    static URI endpoint(String text) {
        String full = text.contains("://") ? text : "grpc://" + text;
        URI uri;
        try {
            uri = new URI(full);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--endpoint is not a valid address: " + e.getMessage());
        }
        if (!("grpc".equals(uri.getScheme()) || "grpcs".equals(uri.getScheme()))) {
            throw new IllegalArgumentException(
                    "--endpoint must be grpc://host:port or grpcs://host:port, got '" + text + "'");
        }
        if (uri.getHost() == null || uri.getPort() < 1) {
            throw new IllegalArgumentException("--endpoint needs a host and a port, got '" + text + "'");
        }
        if (uri.getRawPath() != null
                && !uri.getRawPath().isEmpty()
                && !uri.getRawPath().equals("/")) {
            throw new IllegalArgumentException("--endpoint takes no path, got '" + text + "'");
        }
        return uri;
    }
}
