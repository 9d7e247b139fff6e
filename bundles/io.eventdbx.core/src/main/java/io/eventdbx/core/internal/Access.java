package io.eventdbx.core.internal;

import io.eventdbx.api.AggregateState;
import io.eventdbx.api.Page;
import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.support.SimpleCommandContext;
import io.eventdbx.command.support.TokenArgument;
import io.eventdbx.token.api.Actions;
import io.eventdbx.token.api.Principal;
import io.eventdbx.token.api.TokenException;
import io.eventdbx.token.api.TokenService;
import java.util.List;

/** What the caller of one command may do, checked before the store is touched. */
record Access(Principal principal) {

    /**
     * Refuses unless the caller may do an action on an aggregate.
     *
     * @throws TokenException FORBIDDEN, naming the action and the aggregate
     */
    void require(String action, String type, String id) {
        principal.require(action, Actions.aggregate(type, id));
    }

    /** Refuses unless the caller may do an action on some aggregate (listings, which are then filtered). */
    void requireAny(String action) {
        principal.requireAny(action);
    }

    boolean allows(String action, String type, String id) {
        return principal.allows(action, Actions.aggregate(type, id));
    }

    /** A page with only the aggregates the caller may read; the cursor still continues the full listing. */
    Page<AggregateState> visible(Page<AggregateState> page) {
        if (principal.isAdministrator()) {
            return page;
        }
        List<AggregateState> items = page.items().stream()
                .filter(a -> allows(Actions.AGGREGATE_READ, a.aggregateType(), a.aggregateId()))
                .toList();
        return new Page<>(items, page.nextCursor());
    }

    /**
     * Takes {@code --token <value>} (or {@code --token=<value>}) out of the arguments and, if it was there, returns
     * a context whose caller is the token's holder.
     *
     * @throws TokenException UNAUTHENTICATED if the token is refused
     */
    static CommandContext withToken(CommandContext context, List<String> args, TokenService tokens) {
        String token = TokenArgument.take(args, 0);
        if (token == null) {
            return context;
        }
        Principal holder = tokens.authenticate(token);
        return new SimpleCommandContext(context.out(), context.err(), context.in(), holder);
    }
}
