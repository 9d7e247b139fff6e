package io.eventdbx.emitter.http.internal;

import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.EmitterFactory;
import io.eventdbx.emitter.api.Envelope;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.osgi.service.component.annotations.Component;

/**
 * {@code dbx plugin config http --name <label> --endpoint <host|url> [--https] [--header KEY=VALUE]...}: a POST of
 * the {@code EventRecord} JSON per event ({@code Content-Type: application/json}) with the configured headers. An
 * endpoint without a scheme gets {@code http://}, or {@code https://} with {@code --https}. A 2xx answer delivers;
 * any other answer, a timeout or a refused connection is a retry whose reason holds the status and the first 256
 * characters of the body; a {@code Retry-After} in seconds is honoured.
 */
@Component(service = EmitterFactory.class)
public final class HttpEmitterFactory implements EmitterFactory {

    static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Set<String> RESTRICTED =
            Set.of("connection", "content-length", "expect", "host", "upgrade", "content-type");

    @Override
    public String type() {
        return "http";
    }

    @Override
    public String description() {
        return "A POST of the EventRecord JSON per event";
    }

    @Override
    public List<Option> options() {
        return List.of(
                new Option(
                        "endpoint",
                        "a URL, or a host[:port][/path] (http:// unless --https)",
                        true,
                        false,
                        false,
                        false),
                new Option("https", "use https:// for an endpoint without a scheme", false, false, true, false),
                new Option("header", "KEY=VALUE sent with every POST (repeatable)", false, true, false, true));
    }

    @Override
    public Emitter create(String name, Map<String, List<String>> options) {
        List<String> endpoints = options.get("endpoint");
        if (endpoints == null || endpoints.isEmpty() || endpoints.get(0).isBlank()) {
            throw new IllegalArgumentException("--endpoint is required");
        }
        boolean https = options.containsKey("https")
                && !"false".equals(options.get("https").get(0));
        URI uri = endpoint(endpoints.get(0), https);
        List<String[]> headers = new ArrayList<>();
        for (String header : options.getOrDefault("header", List.of())) {
            int eq = header.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("--header must be KEY=VALUE, got a value without '=' or key");
            }
            String key = header.substring(0, eq).trim();
            if (!key.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+") || RESTRICTED.contains(key.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("--header name '" + key + "' cannot be set");
            }
            String value = header.substring(eq + 1);
            if (value.chars().anyMatch(c -> c == '\r' || c == '\n')) {
                throw new IllegalArgumentException("--header " + key + " has a line break in its value");
            }
            headers.add(new String[] {key, value});
        }
        return new HttpEmitter(uri, headers);
    }

    static URI endpoint(String text, boolean https) {
        String full = text.contains("://") ? text : (https ? "https://" : "http://") + text;
        try {
            URI uri = new URI(full);
            if (uri.getHost() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException(
                        "--endpoint must be an http or https URL with a host, got '" + text + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--endpoint is not a valid URL: " + e.getMessage());
        }
    }

    static final class HttpEmitter implements Emitter {
        private final URI uri;
        private final List<String[]> headers;
        private final ExecutorService executor;
        private final HttpClient client;

        HttpEmitter(URI uri, List<String[]> headers) {
            this.uri = uri;
            this.headers = headers;
            // the client's own threads, released by close(): the bundle can be updated live
            this.executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "dbx-http-emitter");
                t.setDaemon(true);
                return t;
            });
            this.client = HttpClient.newBuilder()
                    .connectTimeout(TIMEOUT)
                    .executor(executor)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
        }

        @Override
        public Delivery deliver(List<Envelope> batch) {
            int delivered = 0;
            for (Envelope e : batch) {
                HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                        .timeout(TIMEOUT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(e.json(), StandardCharsets.UTF_8));
                headers.forEach(h -> request.header(h[0], h[1]));
                try {
                    HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                    int status = response.statusCode();
                    if (status / 100 != 2) {
                        String body = response.body() == null ? "" : response.body();
                        return Delivery.retry(
                                delivered,
                                retryAfter(response),
                                "HTTP " + status + ": " + (body.length() > 256 ? body.substring(0, 256) : body));
                    }
                    delivered++;
                } catch (IOException ex) {
                    return Delivery.unreachable(delivered, "POST " + uri + ": " + describe(ex));
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return Delivery.retry(delivered, null, "interrupted");
                }
            }
            return Delivery.delivered(delivered);
        }

        private static Duration retryAfter(HttpResponse<?> response) {
            return response.headers()
                    .firstValue("Retry-After")
                    .filter(v -> v.matches("\\d{1,5}"))
                    .map(v -> Duration.ofSeconds(Long.parseLong(v)))
                    .orElse(null);
        }

        private static String describe(IOException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }

        @Override
        public void check() throws IOException, InterruptedException {
            // reachable means an HTTP answer of any status: receivers rarely answer HEAD or GET with 2xx
            try {
                client.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(TIMEOUT)
                                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (IOException e) {
                throw new IOException("cannot reach " + uri + ": " + describe(e), e);
            }
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }
}
