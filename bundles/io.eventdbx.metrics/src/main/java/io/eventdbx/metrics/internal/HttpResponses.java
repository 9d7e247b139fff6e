package io.eventdbx.metrics.internal;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Wraps every HTTP request, whichever servlet answers it: counts the response by method and status, and turns
 * the HTTP whiteboard's failure for a servlet that was unregistered while the request was being routed to it (a
 * bundle being stopped or updated) into a clean {@code 503} with {@code Retry-After}, instead of the container's
 * HTML 500. Lives here, not in the REST bundle, because it must outlive the servlets it guards.
 */
@Component(
        service = Filter.class,
        property = {
            "osgi.http.whiteboard.filter.pattern=/*",
            "osgi.http.whiteboard.filter.name=eventdbx-http-responses",
            "osgi.http.whiteboard.filter.asyncSupported=true"
        })
public final class HttpResponses implements Filter {

    /** Felix HTTP's message when the servlet a request was routed to has just been unregistered. */
    static final String UNREGISTERED = "Servlet has been unregistered";

    private static final byte[] UNAVAILABLE = ("{\"code\":\"UNAVAILABLE\",\"message\":\"the endpoint is being"
                    + " restarted or updated; retry the request\"}")
            .getBytes(StandardCharsets.UTF_8);

    private final StoreMetrics metrics;

    /**
     * Creates the filter.
     *
     * @param metrics the meters
     */
    @Activate
    public HttpResponses(@Reference StoreMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        try {
            chain.doFilter(request, response);
        } catch (ServletException e) {
            if (!UNREGISTERED.equals(e.getMessage()) || response.isCommitted()) {
                throw e;
            }
            response.reset();
            if (response instanceof HttpServletResponse http) {
                http.setStatus(503);
                http.setHeader("Retry-After", "1");
            }
            response.setContentType("application/json");
            response.setContentLength(UNAVAILABLE.length);
            response.getOutputStream().write(UNAVAILABLE);
        } finally {
            if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse answer) {
                if (request.isAsyncStarted()) {
                    // answered later, from another thread: count the status it ends with
                    request.getAsyncContext().addListener(new Counted(http.getMethod(), answer));
                } else {
                    metrics.responded(http.getMethod(), answer.getStatus());
                }
            }
        }
    }

    /** Counts an asynchronous answer when it is complete. */
    private final class Counted implements AsyncListener {
        private final String method;
        private final HttpServletResponse response;

        Counted(String method, HttpServletResponse response) {
            this.method = method;
            this.response = response;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            metrics.responded(method, response.getStatus());
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            // counted in onComplete, which follows
        }

        @Override
        public void onError(AsyncEvent event) {
            // counted in onComplete, which follows
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this); // a restarted async cycle: still count its end
        }
    }
}
