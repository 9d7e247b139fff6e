package io.eventdbx.http.internal;

import java.net.InetSocketAddress;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.felix.http.jetty.ConnectorFactory;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.osgi.service.servlet.runtime.dto.RuntimeDTO;
import org.osgi.service.servlet.runtime.dto.ServletContextDTO;
import org.osgi.service.servlet.runtime.dto.ServletDTO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API listener on the configured {@code port}. It is added to Felix HTTP's Jetty (through Felix's {@link
 * ConnectorFactory} SPI) only once the servlets of the enabled APIs are registered on the whiteboard, so that a client
 * never meets a listener that answers before the API does: until then the port refuses connections. Once open, it
 * stays open while an API bundle is stopped or updated (a JSON 503 answers then, see {@link Unavailable}).
 *
 * <p>It also gives Jetty JSON error bodies ({@link JsonErrors}) for every status the container produces itself, and
 * closes the loopback placeholder connector that Felix HTTP insists on having (port 0), so the configured port is
 * the one HTTP listener. The bound address is published as an {@link InetSocketAddress} service with {@code
 * eventdbx.endpoint=http}.
 */
@Component(configurationPid = "io.eventdbx.http", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
public final class ApiListener {

    /** The whiteboard servlet each enabled API ({@code api.<name>} true) must have registered before clients come. */
    static final Map<String, String> API_SERVLETS =
            Map.of("api.rest", "eventdbx-rest", "api.graphql", "eventdbx-graphql", "api.grpc", "eventdbx-grpc");

    /** Connections the kernel queues until they are accepted. */
    static final int ACCEPT_QUEUE = 1024;

    /** How long an idle connection is kept open. */
    static final long IDLE_TIMEOUT_MILLIS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(ApiListener.class);

    private final BundleContext context;
    private final String host;
    private final int port;
    private final Set<String> required;
    private final JsonErrors errors = new JsonErrors();
    /** gRPC's own listener ({@code [grpc].bind_addr} on another port), or null when it shares this one. */
    private final InetSocketAddress grpcListener;

    private ServiceRegistration<ConnectorFactory> factory; // guarded by this
    private ServiceRegistration<ConnectorFactory> grpcFactory; // guarded by this
    private ServiceRegistration<InetSocketAddress> endpoint; // guarded by this
    private ServiceRegistration<InetSocketAddress> grpcEndpoint; // guarded by this
    private boolean closed; // guarded by this
    private volatile HttpServiceRuntime runtime;

    /**
     * Creates the listener; it opens once the API servlets are registered.
     *
     * @param context to register the connector factory and the endpoint
     * @param config the runtime configuration: {@code port}, {@code api.*}, {@code http_host} (optional, all
     *     interfaces by default)
     */
    @Activate
    public ApiListener(BundleContext context, Map<String, Object> config) {
        this.context = context;
        this.port = config.get("port") instanceof Number n ? n.intValue() : 7070;
        Object hostSetting = config.get("http_host");
        this.host = hostSetting == null || hostSetting.toString().isBlank() ? null : hostSetting.toString();
        Set<String> names = new TreeSet<>();
        API_SERVLETS.forEach((setting, servlet) -> {
            if (!Boolean.FALSE.equals(config.get(setting))) {
                names.add(servlet);
            }
        });
        this.required = Set.copyOf(names);
        Object grpc = config.get("grpc_listener");
        this.grpcListener =
                grpc == null || Boolean.FALSE.equals(config.get("api.grpc")) ? null : address(grpc.toString());
    }

    /** A {@code host:port} ({@code [v6]:port}) as the listener's address; host 0.0.0.0 means every interface. */
    static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(text.substring(colon + 1));
        return host.equals("0.0.0.0") ? new InetSocketAddress(port) : InetSocketAddress.createUnresolved(host, port);
    }

    /** Closes the listener (Felix stops and removes the connector) and withdraws the endpoint. */
    @Deactivate
    synchronized void deactivate() {
        closed = true;
        unregister(factory);
        factory = null;
        unregister(grpcFactory);
        grpcFactory = null;
        unregister(endpoint);
        endpoint = null;
        unregister(grpcEndpoint);
        grpcEndpoint = null;
    }

    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            updated = "runtimeChanged")
    void bindRuntime(HttpServiceRuntime runtime) {
        runtimeChanged(runtime);
    }

    /**
     * The whiteboard changed: open once every required servlet is registered. Felix moves the runtime's change count,
     * and shows the change in its DTO, after {@code org.apache.felix.http.whiteboard.changecount.delay} (2 s by
     * default; the launcher sets 0, so the listener opens as soon as the API is there).
     */
    void runtimeChanged(HttpServiceRuntime runtime) {
        if (registered(runtime.getRuntimeDTO()).containsAll(required)) {
            open();
        }
    }

    void unbindRuntime(HttpServiceRuntime runtime) {
        // Felix HTTP stopped: its connector tracker already closed the listener; it opens again with a new runtime
    }

    /** The names of the servlets the whiteboard runs. */
    static Set<String> registered(RuntimeDTO runtime) {
        Set<String> names = new TreeSet<>();
        if (runtime != null && runtime.servletContextDTOs != null) {
            for (ServletContextDTO servletContext : runtime.servletContextDTOs) {
                if (servletContext.servletDTOs != null) {
                    for (ServletDTO servlet : servletContext.servletDTOs) {
                        names.add(servlet.name);
                    }
                }
            }
        }
        return names;
    }

    private synchronized void open() {
        if (closed || factory != null) {
            return;
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("eventdbx.listener", "api");
        factory = context.registerService(
                ConnectorFactory.class,
                server -> createConnector(server, host, port, (h, p) -> published("http", h, p)),
                props);
        LOG.info("the API servlets {} are registered: opening the HTTP listener on port {}", required, port);
        if (grpcListener != null) {
            Hashtable<String, Object> grpcProps = new Hashtable<>();
            grpcProps.put("eventdbx.listener", "grpc");
            String grpcHost = grpcListener.getHostString().equals("0.0.0.0") ? null : grpcListener.getHostString();
            grpcFactory = context.registerService(
                    ConnectorFactory.class,
                    server -> createConnector(
                            server, grpcHost, grpcListener.getPort(), (h, p) -> published("grpc", h, p)),
                    grpcProps);
            LOG.info("opening the gRPC API's own listener on {}", grpcListener);
        }
    }

    /** Called by Felix HTTP (on every start of its Jetty) to add a listener. */
    private Connector createConnector(
            Server server, String host, int port, java.util.function.BiConsumer<String, Integer> publish) {
        server.setErrorHandler(errors);
        ServletContextHandler servletContext = server.getDescendant(ServletContextHandler.class);
        if (servletContext != null) {
            servletContext.setErrorHandler(errors);
        }
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // No header field cache: Jetty's parser otherwise looks every header line up in a trie of lines it has seen,
        // character by character, and a bearer token makes the Authorization line ~600 characters: that lookup was a
        // third of the CPU of a GET (JFR profile, docs/benchmarks.md).
        http.setHeaderCacheSize(0);
        // HTTP/1.1 and cleartext HTTP/2 (prior knowledge or Upgrade: h2c) on the one port: gRPC clients speak h2c.
        ServerConnector connector =
                new ServerConnector(server, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
        // A burst of connections waits in the kernel's queue instead of being dropped (the default is 50): a dropped
        // connection attempt is retried by the client only a second later.
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        connector.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarted(LifeCycle event) {
                publish.accept(connector.getHost(), connector.getLocalPort());
            }

            @Override
            public void lifeCycleStopped(LifeCycle event) {
                publish.accept(null, -1);
            }
        });
        closePlaceholders(server);
        return connector;
    }

    /** Felix's own connector, configured on a loopback port 0 by the launcher, is not for clients. */
    private static void closePlaceholders(Server server) {
        for (Connector other : server.getConnectors()) {
            if (other instanceof ServerConnector placeholder && placeholder.getPort() == 0) {
                try {
                    placeholder.stop();
                } catch (Exception e) {
                    LOG.warn("cannot close Felix HTTP's placeholder connector: {}", e.getMessage());
                }
                server.removeConnector(placeholder);
            }
        }
    }

    /** Publishes (or withdraws, on a port of -1) the bound address of the http or grpc listener. */
    private synchronized void published(String kind, String boundHost, int boundPort) {
        boolean http = kind.equals("http");
        unregister(http ? endpoint : grpcEndpoint);
        if (http) {
            endpoint = null;
        } else {
            grpcEndpoint = null;
        }
        if (closed || boundPort <= 0) {
            return;
        }
        InetSocketAddress address =
                boundHost == null ? new InetSocketAddress(boundPort) : new InetSocketAddress(boundHost, boundPort);
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("eventdbx.endpoint", kind);
        props.put("eventdbx.endpoint.address", (boundHost == null ? "0.0.0.0" : boundHost) + ":" + boundPort);
        ServiceRegistration<InetSocketAddress> registration =
                context.registerService(InetSocketAddress.class, address, new Hashtable<>(props));
        if (http) {
            endpoint = registration;
        } else {
            grpcEndpoint = registration;
        }
    }

    private static void unregister(ServiceRegistration<?> registration) {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping and did it first
            }
        }
    }
}
