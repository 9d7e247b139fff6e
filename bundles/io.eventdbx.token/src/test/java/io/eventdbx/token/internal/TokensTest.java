package io.eventdbx.token.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.crypto.internal.CryptoComponent;
import io.eventdbx.store.api.InMemoryStorageEngine;
import io.eventdbx.store.api.KeyValue;
import io.eventdbx.token.api.Actions;
import io.eventdbx.token.api.IssuedToken;
import io.eventdbx.token.api.Principal;
import io.eventdbx.token.api.TokenException;
import io.eventdbx.token.api.TokenException.Reason;
import io.eventdbx.token.api.TokenRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {

    @TempDir
    Path dir;

    private final InMemoryStorageEngine storage = new InMemoryStorageEngine();
    private final AtomicLong now = new AtomicLong(1_800_000_000L);
    private final Principal admin = Principal.administrator("root");
    private CryptoComponent crypto;
    private Tokens tokens;

    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(now.get());
        }
    };

    @BeforeEach
    void open() throws Exception {
        crypto = new CryptoComponent(storage, dir);
        tokens = reopen();
    }

    private Tokens reopen() throws Exception {
        return new Tokens(storage, crypto, SigningKey.open(dir.resolve("keys")), clock);
    }

    private IssuedToken issue(
            Long expiration, Long limit, boolean keepAlive, List<String> actions, List<String> resources) {
        return tokens.issue(
                new TokenRequest("clinic", "alice", expiration, limit, keepAlive, actions, resources), admin);
    }

    private static TokenException refused(Reason reason, org.junit.jupiter.api.function.Executable call) {
        TokenException e = assertThrows(TokenException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
        return e;
    }

    @Test
    void aTokenAuthenticatesAsItsHolderWithItsGrant() {
        IssuedToken issued = issue(null, null, false, List.of(), List.of());
        Principal p = tokens.authenticate(issued.token());
        assertEquals("clinic", p.group());
        assertEquals("alice", p.user());
        assertEquals(issued.info().tokenId(), p.tokenId());
        assertTrue(p.allows(Actions.AGGREGATE_APPEND, "aggregate:patient:p-1"));
        assertFalse(p.allows(Actions.TOKEN_MANAGE, null));
        assertEquals(
                Instant.ofEpochSecond(now.get() + 3600).toString(),
                issued.info().expiresAt());
    }

    @Test
    void theTokenIsAnEdDsaJwtWithTheDocumentedClaims() {
        String token = issue(60L, 5L, true, List.of("aggregate.read"), List.of("aggregate:patient:*"))
                .token();
        String[] parts = token.split("\\.");
        assertEquals(3, parts.length);
        String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertTrue(header.contains("\"alg\":\"EdDSA\""), header);
        for (String claim : new String[] {
            "\"iss\":\"eventdbx\"",
            "\"sub\":\"clinic:alice\"",
            "\"jti\":",
            "\"iat\":",
            "\"exp\":",
            "\"group\":\"clinic\"",
            "\"actions\":[\"aggregate.read\"]",
            "\"resources\":[\"aggregate:patient:*\"]",
            "\"write_events\":5",
            "\"keep_alive\":true"
        }) {
            assertTrue(claims.contains(claim), claim + " in " + claims);
        }
    }

    @Test
    void forgedMalformedAndMissingTokensAreRefused() throws Exception {
        String token = issue(null, null, false, List.of(), List.of()).token();
        String[] parts = token.split("\\.");
        // claims changed (more rights), signature kept
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"aggregate.read\"", "\"admin\"");
        String forged = parts[0] + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "."
                + parts[2];
        assertTrue(refused(Reason.UNAUTHENTICATED, () -> tokens.authenticate(forged))
                .getMessage()
                .contains("signature"));
        // signed by another server's key
        Tokens other =
                new Tokens(new InMemoryStorageEngine(), crypto, SigningKey.open(dir.resolve("other-keys")), clock);
        String foreign = other.issue(
                        new TokenRequest("clinic", "alice", null, null, false, List.of(), List.of()), admin)
                .token();
        refused(Reason.UNAUTHENTICATED, () -> tokens.authenticate(foreign));
        refused(Reason.UNAUTHENTICATED, () -> tokens.authenticate("not-a-token"));
        refused(Reason.UNAUTHENTICATED, () -> tokens.authenticate(""));
        refused(Reason.UNAUTHENTICATED, () -> tokens.authenticate(null));
    }

    @Test
    void expiryIsEnforcedWithThirtySecondsOfSkew() {
        String token = issue(60L, null, false, List.of(), List.of()).token();
        now.addAndGet(60 + 30);
        tokens.authenticate(token);
        now.incrementAndGet();
        assertTrue(refused(Reason.UNAUTHENTICATED, () -> tokens.authenticate(token))
                .getMessage()
                .contains("expired"));
        assertEquals("expired", tokens.list().get(0).status());
    }

    @Test
    void keepAliveMovesTheExpiryOnEachUse() {
        String token = issue(60L, null, true, List.of(), List.of()).token();
        for (int i = 0; i < 5; i++) {
            now.addAndGet(50);
            tokens.authenticate(token); // 250 s in all: alive only because each use extends it
        }
        now.addAndGet(91);
        refused(Reason.UNAUTHENTICATED, () -> tokens.authenticate(token));
    }

    @Test
    void revocationIsImmediateAndSurvivesARestart() throws Exception {
        String token = issue(null, null, false, List.of(), List.of()).token();
        assertEquals("revoked", tokens.revoke(token).status());
        assertTrue(refused(Reason.UNAUTHENTICATED, () -> tokens.authenticate(token))
                .getMessage()
                .contains("revoked"));
        Tokens restarted = reopen();
        refused(Reason.UNAUTHENTICATED, () -> restarted.authenticate(token));
        refused(Reason.UNAUTHENTICATED, () -> restarted.refresh(token, 60L, null));
    }

    @Test
    void theWriteLimitIsEnforcedAndSurvivesARestart() throws Exception {
        String token = issue(null, 3L, false, List.of(), List.of()).token();
        Principal p = tokens.authenticate(token);
        tokens.consumeWrites(p, 2);
        Tokens restarted = reopen();
        Principal again = restarted.authenticate(token);
        assertEquals(1L, restarted.list().get(0).remainingWrites());
        refused(Reason.WRITE_LIMIT_REACHED, () -> restarted.consumeWrites(again, 2));
        restarted.consumeWrites(again, 1);
        TokenException e = refused(Reason.WRITE_LIMIT_REACHED, () -> restarted.consumeWrites(again, 1));
        assertTrue(e.getMessage().contains("write limit"), e.getMessage());
        restarted.refundWrites(again, 1);
        restarted.consumeWrites(again, 1);
        restarted.refresh(token, null, 10L);
        restarted.consumeWrites(again, 10);
    }

    @Test
    void aTokenManagerCannotGrantMoreThanItHolds() {
        Principal manager = new Principal(
                "ops",
                "bob",
                "t",
                java.util.Set.of(Actions.TOKEN_MANAGE, Actions.AGGREGATE_READ),
                List.of("aggregate:patient:*"));
        tokens.issue(
                new TokenRequest(
                        "auditors",
                        "ann",
                        null,
                        null,
                        false,
                        List.of("aggregate.read"),
                        List.of("aggregate:patient:p-1")),
                manager);
        refused(
                Reason.FORBIDDEN,
                () -> tokens.issue(
                        new TokenRequest("x", "y", null, null, false, List.of("admin"), List.of()), manager));
        refused(
                Reason.FORBIDDEN,
                () -> tokens.issue(
                        new TokenRequest(
                                "x", "y", null, null, false, List.of("aggregate.read"), List.of("aggregate:*:*")),
                        manager));
    }

    @Test
    void badRequestsAreRefusedClearly() {
        assertTrue(refused(Reason.INVALID, () -> issue(0L, null, false, List.of(), List.of()))
                .getMessage()
                .contains("--expiration"));
        assertTrue(refused(Reason.INVALID, () -> issue(null, -1L, false, List.of(), List.of()))
                .getMessage()
                .contains("--limit"));
        assertTrue(refused(Reason.INVALID, () -> issue(null, null, false, List.of("aggregate.delete"), List.of()))
                .getMessage()
                .contains("unknown action"));
        refused(
                Reason.INVALID,
                () -> tokens.issue(new TokenRequest("bad group", "u", null, null, false, List.of(), List.of()), admin));
    }

    @Test
    void recordsAreSealedInTheStoreAndListingsCarryNoTokenStrings() throws Exception {
        IssuedToken issued = issue(null, 7L, false, List.of(), List.of());
        for (KeyValue kv : storage.scan(new byte[] {'T'}, new byte[] {'U'}, 100, false)) {
            String raw = new String(kv.value(), StandardCharsets.ISO_8859_1);
            assertFalse(raw.contains("alice"), "the holder's name is not stored in clear");
        }
        assertFalse(tokens.list().toString().contains(issued.token()));
        assertEquals(7L, tokens.list().get(0).writeLimit());
    }

    @Test
    void onlyTheCanonicalSpellingOfATokenAuthenticates() {
        String token = issue(null, null, false, List.of(), List.of()).token();
        assertEquals("alice", tokens.authenticate(token).user());
        String[] parts = token.split("\\.");
        List<String> variants = List.of(
                token + "=", // padding on the signature
                parts[0] + "=." + parts[1] + "." + parts[2], // padding on the header
                parts[0] + "." + parts[1] + "==." + parts[2],
                parts[0] + "." + parts[1] + "." + parts[2] + "A", // a stray character
                parts[0] + "." + parts[1] + "." + parts[2].replace('-', '+').replace('_', '/'), // base64, not url
                parts[0] + "." + parts[1] + "." + spareBitSet(parts[2]));
        for (String variant : variants) {
            if (variant.equals(token)) {
                continue; // the signature had no character to change
            }
            refused(Reason.UNAUTHENTICATED, () -> tokens.authenticate(variant));
        }
    }

    /** The same bytes under another spelling: the last character with a spare low bit set. */
    private static String spareBitSet(String part) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(part.charAt(part.length() - 1));
        assertEquals(0, last & 1, "an Ed25519 signature (64 bytes) ends in a character with spare bits");
        String changed = part.substring(0, part.length() - 1) + alphabet.charAt(last | 1);
        assertTrue(java.util.Arrays.equals(
                Base64.getUrlDecoder().decode(part), Base64.getUrlDecoder().decode(changed)));
        return changed;
    }

    @Test
    void aTokenCanBeRevokedByTheIdThatTheListShows() {
        IssuedToken issued = issue(null, null, false, List.of(), List.of());
        String id = tokens.list().get(0).tokenId();
        assertEquals(issued.info().tokenId(), id);
        assertEquals("revoked", tokens.revokeById(id).status());
        refused(Reason.UNAUTHENTICATED, () -> tokens.authenticate(issued.token()));
        TokenException unknown = refused(Reason.INVALID, () -> tokens.revokeById("no-such-id"));
        assertTrue(unknown.getMessage().contains("no-such-id"), unknown.getMessage());
    }
}
