package io.eventdbx.token.internal;

import io.eventdbx.crypto.api.DataProtector;
import io.eventdbx.store.api.StorageEngine;
import io.eventdbx.token.api.IssuedToken;
import io.eventdbx.token.api.Principal;
import io.eventdbx.token.api.TokenInfo;
import io.eventdbx.token.api.TokenRequest;
import io.eventdbx.token.api.TokenService;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;

/** The token service on the store, with its signing key in {@code <data_dir>/keys}. */
@Component(
        service = TokenService.class,
        configurationPid = "io.eventdbx.token",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class TokenServiceComponent implements TokenService {

    /** The part of the runtime configuration this component reads. */
    public @interface Config {
        /**
         * The data directory.
         *
         * @return an absolute path
         */
        String data__dir();
    }

    private final Tokens tokens;

    /**
     * Loads the signing key and the token records.
     *
     * @throws IOException if they cannot be read
     * @throws GeneralSecurityException if the JDK lacks Ed25519
     */
    @Activate
    public TokenServiceComponent(@Reference StorageEngine storage, @Reference DataProtector protector, Config config)
            throws IOException, GeneralSecurityException {
        SigningKey key = SigningKey.open(Path.of(config.data__dir()).resolve("keys"));
        this.tokens = new Tokens(storage, protector, key, Clock.systemUTC());
    }

    @Override
    public IssuedToken issue(TokenRequest request, Principal issuer) {
        return tokens.issue(request, issuer);
    }

    @Override
    public List<TokenInfo> list() {
        return tokens.list();
    }

    @Override
    public TokenInfo revoke(String token) {
        return tokens.revoke(token);
    }

    @Override
    public boolean isActive(Principal principal) {
        return tokens.isActive(principal);
    }

    @Override
    public io.eventdbx.token.api.WriteAllowance allowance(Principal principal) {
        return tokens.allowance(principal);
    }

    @Override
    public TokenInfo revokeById(String id) {
        return tokens.revokeById(id);
    }

    @Override
    public TokenInfo refresh(String token, Long expirationSeconds, Long writeLimit) {
        return tokens.refresh(token, expirationSeconds, writeLimit);
    }

    @Override
    public Principal authenticate(String token) {
        return tokens.authenticate(token);
    }

    @Override
    public void consumeWrites(Principal principal, int count) {
        tokens.consumeWrites(principal, count);
    }

    @Override
    public void refundWrites(Principal principal, int count) {
        tokens.refundWrites(principal, count);
    }
}
