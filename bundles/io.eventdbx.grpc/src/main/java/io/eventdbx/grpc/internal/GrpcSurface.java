package io.eventdbx.grpc.internal;

import io.eventdbx.access.api.EventAccess;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.servlet.jakarta.GrpcServlet;
import io.grpc.servlet.jakarta.ServletServerBuilder;
import jakarta.servlet.Servlet;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC surface: {@code dbx.api.EventService}, {@code grpc.health.v1.Health} and server reflection (v1 and
 * v1alpha, for every grpcurl), as one servlet on the HTTP whiteboard, mapped by service path so that REST keeps every
 * other path. The API listener speaks h2c, so gRPC clients reach it on the HTTP port.
 */
@Component(immediate = true, configurationPid = "io.eventdbx.grpc", configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class GrpcSurface {

    /** The whiteboard name the API listener waits for before it opens (see io.eventdbx.http's ApiListener). */
    static final String SERVLET_NAME = "eventdbx-grpc";

    static final String[] PATTERNS = {
        "/dbx.api.EventService/*",
        "/grpc.health.v1.Health/*",
        "/grpc.reflection.v1.ServerReflection/*",
        "/grpc.reflection.v1alpha.ServerReflection/*"
    };

    private static final Logger LOG = LoggerFactory.getLogger(GrpcSurface.class);

    private final HealthStatusManager health = new HealthStatusManager();
    /** Threads that answer durable writes. */
    static final int ANSWER_THREADS = 2;

    private final java.util.concurrent.ExecutorService answers;
    private final EventServiceImpl service;
    private final ServiceRegistration<Servlet> registration;

    /**
     * Builds the services and registers their servlet.
     *
     * @param context to register the servlet
     * @param door the access service every call goes through
     */
    @Activate
    public GrpcSurface(BundleContext context, @Reference EventAccess door) {
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus("dbx.api.EventService", ServingStatus.SERVING);
        // Two threads answer durable writes (a container thread answers REST's): the commit thread only hands over.
        answers = new java.util.concurrent.ThreadPoolExecutor(
                ANSWER_THREADS,
                ANSWER_THREADS,
                0,
                java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "dbx-grpc-answer");
                    thread.setDaemon(true);
                    return thread;
                });
        service = new EventServiceImpl(door, answers);
        // Calls run on the container's request thread, as REST's do: no call blocks (an append is answered from the
        // committer once durable, a subscription has its own thread), and a hop to another pool per call cost more
        // CPU than the call itself on two cores.
        GrpcServlet servlet = new ServletServerBuilder()
                .directExecutor()
                .addService(MalformedRequests.guard(ServerInterceptors.intercept(service, new BearerInterceptor())))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(ProtoReflectionService.newInstance())
                .buildServlet();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("osgi.http.whiteboard.servlet.name", SERVLET_NAME);
        props.put("osgi.http.whiteboard.servlet.pattern", PATTERNS);
        props.put("osgi.http.whiteboard.servlet.asyncSupported", Boolean.TRUE);
        registration = context.registerService(Servlet.class, servlet, props);
        LOG.info("gRPC API registered: dbx.api.EventService, grpc.health.v1.Health, server reflection");
    }

    /** Withdraws the servlet; the whiteboard destroys it, which ends its calls. */
    @Deactivate
    void deactivate() {
        health.enterTerminalState();
        service.shutdown();
        answers.shutdown(); // what is queued is still answered, then the threads end
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the framework is stopping and did it first
        }
    }
}
