package io.eventdbx.metrics.internal;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Counts every HTTP response by method and status, whichever servlet answered it. */
@Component(
        service = Filter.class,
        property = {"osgi.http.whiteboard.filter.pattern=/*", "osgi.http.whiteboard.filter.name=eventdbx-http-metrics"})
public final class ResponseCounter implements Filter {

    private final StoreMetrics metrics;

    /**
     * Creates the filter.
     *
     * @param metrics the meters
     */
    @Activate
    public ResponseCounter(@Reference StoreMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        try {
            chain.doFilter(request, response);
        } finally {
            if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse answer) {
                metrics.responded(http.getMethod(), answer.getStatus());
            }
        }
    }
}
