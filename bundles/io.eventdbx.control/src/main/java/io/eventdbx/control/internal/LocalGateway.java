package io.eventdbx.control.internal;

import io.eventdbx.command.api.ExitCodes;
import io.eventdbx.command.support.SimpleCommandContext;
import io.eventdbx.token.api.Principal;
import io.eventdbx.token.api.TokenException;
import io.eventdbx.token.api.TokenService;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The in-process entry point for the launcher of an embedded (server-less) runtime.
 *
 * <p>The launcher lives outside the framework and cannot see bundle classes, so this service is registered
 * under the JDK type {@link Function} with the property {@code eventdbx.gateway=local}. Its argument is a map
 * with {@code args} ({@code List<String>}), {@code in} ({@link InputStream}), {@code out} and {@code err}
 * ({@link PrintStream}) and optionally {@code mode} ({@code exec} or {@code shell}); it returns the exit code.
 * The process that runs the launcher owns the data directory, so the caller is the local administrator, unless
 * the request carries a {@code token}: then it is that token's holder (or the command is refused).
 */
@Component(service = Function.class, property = "eventdbx.gateway=local")
public final class LocalGateway implements Function<Map<String, Object>, Integer> {

    private final CommandDispatcher dispatcher;
    private volatile TokenService tokens;

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
        Principal caller = Principal.administrator(System.getProperty("user.name"));
        Object token = request.get("token");
        if (token != null) {
            TokenService service = tokens;
            try {
                if (service == null) {
                    throw new TokenException(
                            TokenException.Reason.UNAUTHENTICATED,
                            "unauthenticated: tokens cannot be checked (the token service is not running)");
                }
                caller = service.authenticate(token.toString());
            } catch (TokenException e) {
                err.println("error: " + e.getMessage());
                return ExitCodes.UNAUTHENTICATED;
            }
        }
        SimpleCommandContext context = new SimpleCommandContext(out, err, in, caller);
        if ("shell".equals(request.get("mode"))) {
            return dispatcher.shell(context);
        }
        return dispatcher.dispatch((List<String>) request.get("args"), context);
    }

    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setTokens(TokenService tokens) {
        this.tokens = tokens;
    }

    void unsetTokens(TokenService tokens) {
        if (this.tokens == tokens) {
            this.tokens = null;
        }
    }
}
