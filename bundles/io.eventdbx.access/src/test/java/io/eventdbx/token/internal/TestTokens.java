package io.eventdbx.token.internal;

import io.eventdbx.crypto.api.DataProtector;
import io.eventdbx.store.api.StorageEngine;
import io.eventdbx.token.api.TokenService;
import java.nio.file.Path;
import java.time.Clock;

/** The real token service on a clock the test moves (the class lives in the tokens' package to reach it). */
public final class TestTokens {

    private TestTokens() {}

    /**
     * Opens the token service.
     *
     * @param storage where the token records are
     * @param protector seals them
     * @param keys the signing key's directory
     * @param clock the time tokens are checked against
     * @return the service
     * @throws Exception if the key cannot be made
     */
    public static TokenService open(StorageEngine storage, DataProtector protector, Path keys, Clock clock)
            throws Exception {
        return new Tokens(storage, protector, SigningKey.open(keys), clock);
    }
}
