package io.eventdbx.token.internal;

import io.eventdbx.access.api.Administration;
import io.eventdbx.access.api.EventAccess;
import io.eventdbx.command.api.CommandCapability;
import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.DbxCommand;
import io.eventdbx.command.api.UsageException;
import io.eventdbx.command.support.CommandRunner;
import io.eventdbx.command.support.JsonOption;
import io.eventdbx.token.api.IssuedToken;
import io.eventdbx.token.api.TokenInfo;
import io.eventdbx.token.api.TokenRequest;
import io.eventdbx.token.api.TokenService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dbx token generate|list|revoke|refresh}; every sub-command needs {@code token.manage}. */
@CommandCapability("token")
@Component(
        property = {
            DbxCommand.NAME_PROPERTY + "=token",
            DbxCommand.DESCRIPTION_PROPERTY + "=Issue, list, revoke and refresh access tokens",
            DbxCommand.AUTHORIZES_PROPERTY + "=true"
        })
public final class TokenCommand implements DbxCommand {

    private final TokenService tokens;
    private final EventAccess door;
    private final CommandRunner runner = new CommandRunner();

    /**
     * Creates the command.
     *
     * @param tokens the token service
     * @param door the access service, which decides who may manage tokens
     */
    @Activate
    public TokenCommand(@Reference TokenService tokens, @Reference EventAccess door) {
        this.tokens = tokens;
        this.door = door;
    }

    @Override
    public int execute(CommandContext context, List<String> args) {
        CommandLine commandLine = new CommandLine(new Root());
        commandLine.addSubcommand(new Generate(context));
        commandLine.addSubcommand(new ListTokens(context));
        commandLine.addSubcommand(new Revoke(context));
        commandLine.addSubcommand(new Refresh(context));
        return runner.run("dbx token", commandLine, context, args);
    }

    private void requireManage(CommandContext context) {
        door.authorize(context.caller(), Administration.TOKENS);
    }

    private static Map<String, Object> view(TokenInfo info) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("token_id", info.tokenId());
        out.put("group", info.group());
        out.put("user", info.user());
        out.put("status", info.status());
        out.put("issued_at", info.issuedAt());
        out.put("expires_at", info.expiresAt());
        out.put("write_limit", info.writeLimit());
        out.put("remaining_writes", info.remainingWrites());
        out.put("keep_alive", info.keepAlive());
        out.put("actions", info.actions());
        out.put("resources", info.resources());
        out.put("issued_by", info.issuedBy());
        return out;
    }

    @Command(name = "token", mixinStandardHelpOptions = true, description = "Manage access tokens.")
    static final class Root {}

    @Command(
            name = "generate",
            mixinStandardHelpOptions = true,
            description = "Issue a token; the token string is printed only now. Needs token.manage.")
    final class Generate implements Callable<Object> {
        private final CommandContext context;

        @Mixin
        JsonOption json;

        @Option(
                names = {"--group", "--identifier-type"},
                required = true,
                paramLabel = "<name>",
                description = "The holder's group.")
        String group;

        @Option(
                names = {"--user", "--identifier-id"},
                required = true,
                paramLabel = "<name>",
                description = "The holder's user.")
        String user;

        @Option(names = "--expiration", paramLabel = "<secs>", description = "Lifetime in seconds (default 3600).")
        Long expiration;

        @Option(names = "--limit", paramLabel = "<writes>", description = "Total events it may append.")
        Long limit;

        @Option(names = "--keep-alive", description = "Each use moves the expiry forward by the lifetime.")
        boolean keepAlive;

        @Option(
                names = "--action",
                paramLabel = "<a>",
                description = "Grant an action (repeat); default: aggregate.read, aggregate.append,"
                        + " aggregate.archive, aggregate.snapshot, schema.read.")
        List<String> actions = new ArrayList<>();

        @Option(
                names = "--resource",
                paramLabel = "<r>",
                description = "Grant a resource glob such as aggregate:patient:p-1 (repeat); default: *.")
        List<String> resources = new ArrayList<>();

        Generate(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            requireManage(context);
            IssuedToken issued = tokens.issue(
                    new TokenRequest(group, user, expiration, limit, keepAlive, actions, resources), context.caller());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("token", issued.token());
            out.putAll(view(issued.info()));
            return out;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List tokens: holder, status, expiry, remaining writes (never token strings).")
    final class ListTokens implements Callable<Object> {
        private final CommandContext context;

        @Mixin
        JsonOption json;

        ListTokens(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            requireManage(context);
            List<Map<String, Object>> out = new ArrayList<>();
            tokens.list().forEach(info -> out.add(view(info)));
            return out;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token immediately.")
    final class Revoke implements Callable<Object> {
        private final CommandContext context;

        @Mixin
        JsonOption json;

        @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        /** The token string, or the id that {@code dbx token list} shows. */
        static final class Which {
            @Option(names = "--token", required = true, paramLabel = "<value>", description = "The token to revoke.")
            String token;

            @Option(
                    names = "--id",
                    required = true,
                    paramLabel = "<id>",
                    description = "The id of the token to revoke, as dbx token list shows it.")
            String id;
        }

        Revoke(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            requireManage(context);
            return view(which.id != null ? tokens.revokeById(which.id) : tokens.revoke(which.token));
        }
    }

    @Command(
            name = "refresh",
            mixinStandardHelpOptions = true,
            description = "Extend a token's lifetime or write allowance.")
    final class Refresh implements Callable<Object> {
        private final CommandContext context;

        @Mixin
        JsonOption json;

        @Option(names = "--token", required = true, paramLabel = "<value>", description = "The token to refresh.")
        String token;

        @Option(names = "--expiration", paramLabel = "<secs>", description = "New lifetime from now, in seconds.")
        Long expiration;

        @Option(names = "--limit", paramLabel = "<writes>", description = "New number of writes left.")
        Long limit;

        Refresh(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            requireManage(context);
            if (expiration == null && limit == null) {
                throw new UsageException("give --expiration and/or --limit");
            }
            return view(tokens.refresh(token, expiration, limit));
        }
    }
}
