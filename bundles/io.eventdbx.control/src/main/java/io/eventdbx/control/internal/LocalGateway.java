package io.eventdbx.control.internal;

import io.eventdbx.command.api.Caller;
import io.eventdbx.command.support.SimpleCommandContext;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The in-process entry point for the launcher of an embedded (server-less) runtime.
 *
 * <p>The launcher lives outside the framework and cannot see bundle classes, so this service is registered
 * under the JDK type {@link Function} with the property {@code eventdbx.gateway=local}. Its argument is a map
 * with {@code args} ({@code List<String>}), {@code in} ({@link InputStream}), {@code out} and {@code err}
 * ({@link PrintStream}) and optionally {@code mode} ({@code exec} or {@code shell}); it returns the exit code.
 * The process that runs the launcher owns the data directory, so the caller is the local administrator.
 */
@Component(service = Function.class, property = "eventdbx.gateway=local")
public final class LocalGateway implements Function<Map<String, Object>, Integer> {

    private final CommandDispatcher dispatcher;

    /**
     * Creates the gateway.
     *
     * @param dispatcher runs commands
     */
    @Activate
    public LocalGateway(@Reference CommandDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Integer apply(Map<String, Object> request) {
        PrintStream out = (PrintStream) request.get("out");
        PrintStream err = (PrintStream) request.get("err");
        InputStream in = (InputStream) request.get("in");
        SimpleCommandContext context = new SimpleCommandContext(out, err, in, Caller.LOCAL_ADMIN);
        if ("shell".equals(request.get("mode"))) {
            return dispatcher.shell(context);
        }
        return dispatcher.dispatch((List<String>) request.get("args"), context);
    }
}
