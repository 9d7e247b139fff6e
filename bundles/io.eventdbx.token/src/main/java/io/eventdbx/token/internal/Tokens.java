package io.eventdbx.token.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventdbx.crypto.api.DataProtector;
import io.eventdbx.crypto.api.TamperedDataException;
import io.eventdbx.store.api.KeyValue;
import io.eventdbx.store.api.StorageEngine;
import io.eventdbx.store.api.WriteBatch;
import io.eventdbx.token.api.Actions;
import io.eventdbx.token.api.IssuedToken;
import io.eventdbx.token.api.Principal;
import io.eventdbx.token.api.TokenException;
import io.eventdbx.token.api.TokenException.Reason;
import io.eventdbx.token.api.TokenInfo;
import io.eventdbx.token.api.TokenRequest;
import io.eventdbx.token.api.TokenService;
import io.eventdbx.token.api.WriteAllowance;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The token service: signed tokens (see {@link Jwt}) whose records the server keeps, sealed, in the store under
 * {@code 'T' token-id}. The record, not the token, is the authority for expiry (it moves for keep-alive tokens),
 * revocation and the remaining writes, so all three are enforced and survive restarts.
 *
 * <p>Writes taken from an allowance are synced before the write they pay for is made: after a crash a token may
 * have lost a write it did not use, never gained one. Keep-alive extensions are written without sync: after a
 * crash a token may expire a little earlier than it would have, never later.
 */
public final class Tokens implements TokenService {

    /** Lifetime of a token issued without {@code --expiration}. */
    public static final long DEFAULT_LIFETIME_SECONDS = 3600;
    /** Tolerated difference between clocks. */
    public static final long CLOCK_SKEW_SECONDS = 30;

    static final long MAX_LIFETIME_SECONDS = 10L * 366 * 24 * 3600;
    static final String SCOPE = "system:tokens";
    static final byte PREFIX = io.eventdbx.store.api.KeyPrefixes.TOKENS;
    static final byte USED_PREFIX = io.eventdbx.store.api.KeyPrefixes.TOKEN_WRITES;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private final StorageEngine storage;
    private final DataProtector protector;
    private final Jwt jwt;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, TokenRecord> records = new ConcurrentHashMap<>();
    // Token strings whose signature this server has checked, to their token id. An Ed25519 check costs hundreds
    // of microseconds in the JDK, more than the rest of a request; a string that verified once always verifies
    // under the same key. Expiry and revocation are in the record, so they are still checked on every use.
    private final Map<Presented, String> verified = new ConcurrentHashMap<>();
    private static final int VERIFIED_CACHE_SIZE = 10_000;

    /**
     * Loads every token record.
     *
     * @param storage where the records are
     * @param protector seals them
     * @param key the signing key
     * @param clock the time
     */
    Tokens(StorageEngine storage, DataProtector protector, SigningKey key, Clock clock) throws IOException {
        this.storage = storage;
        this.protector = protector;
        this.jwt = new Jwt(key);
        this.clock = clock;
        for (KeyValue kv : storage.scan(new byte[] {PREFIX}, new byte[] {PREFIX + 1}, Integer.MAX_VALUE, false)) {
            TokenRecord record = decode(kv);
            records.put(record.id, record);
        }
        for (KeyValue kv :
                storage.scan(new byte[] {USED_PREFIX}, new byte[] {USED_PREFIX + 1}, Integer.MAX_VALUE, false)) {
            TokenRecord record = records.get(new String(kv.key(), 1, kv.key().length - 1, StandardCharsets.UTF_8));
            if (record != null && kv.value().length == 8) {
                record.usedAppends = ByteBuffer.wrap(kv.value()).getLong();
            }
        }
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }

    // ------------------------------------------------------------------ issue, list, revoke, refresh

    @Override
    public IssuedToken issue(TokenRequest request, Principal issuer) {
        String group = name("group", request.group());
        String user = name("user", request.user());
        long lifetime = lifetime(request.expirationSeconds());
        Long limit = request.writeLimit();
        if (limit != null && limit < 0) {
            throw invalid("--limit must be 0 or more writes");
        }
        List<String> actions = request.actions().isEmpty() ? Actions.DEFAULT : request.actions();
        for (String action : actions) {
            if (!Actions.ALL.contains(action)) {
                throw invalid("unknown action '" + action + "'; known: " + String.join(", ", Actions.ALL));
            }
        }
        List<String> resources = request.resources().isEmpty() ? List.of("*") : request.resources();
        for (String resource : resources) {
            if (resource.isBlank()
                    || resource.length() > 300
                    || resource.chars().anyMatch(c -> c < 0x20)) {
                throw invalid("resource '" + resource + "' is not a valid resource glob");
            }
        }
        if (!issuer.isAdministrator()) {
            // A token manager can hand on what it holds, not more.
            for (String action : actions) {
                if (!issuer.actions().contains(action)) {
                    throw forbidden("forbidden: " + issuer + " cannot grant " + action + ", which it does not hold");
                }
            }
            for (String resource : resources) {
                if (issuer.resources().stream().noneMatch(own -> Principal.matches(own, resource))) {
                    throw forbidden("forbidden: " + issuer + " cannot grant " + resource + ", which it does not hold");
                }
            }
        }
        long now = now();
        TokenRecord record = new TokenRecord(
                UUID.randomUUID().toString(),
                group,
                user,
                now,
                now + lifetime,
                lifetime,
                request.keepAlive(),
                limit,
                limit,
                List.copyOf(new java.util.LinkedHashSet<>(actions)),
                resources,
                issuer.toString(),
                false);
        save(record, true);
        records.put(record.id, record);
        return new IssuedToken(sign(record), info(record));
    }

    private String sign(TokenRecord record) {
        ObjectNode claims = jwt.newClaims();
        claims.put("iss", "eventdbx");
        claims.put("sub", record.group + ":" + record.user);
        claims.put("jti", record.id);
        claims.put("iat", record.issuedAt);
        claims.put("nbf", record.issuedAt);
        claims.put("exp", record.expiresAt);
        claims.put("group", record.group);
        claims.put("user", record.user);
        ArrayNode actions = claims.putArray("actions");
        record.actions.forEach(actions::add);
        ArrayNode resources = claims.putArray("resources");
        record.resources.forEach(resources::add);
        ObjectNode limits = claims.putObject("limits");
        if (record.writeLimit == null) {
            limits.putNull("write_events");
        } else {
            limits.put("write_events", record.writeLimit);
        }
        limits.put("keep_alive", record.keepAlive);
        return jwt.sign(claims);
    }

    @Override
    public List<TokenInfo> list() {
        List<TokenInfo> out = new ArrayList<>();
        records.values().stream()
                .sorted(Comparator.comparingLong((TokenRecord r) -> r.issuedAt).reversed())
                .forEach(r -> out.add(info(r)));
        return out;
    }

    @Override
    public TokenInfo revoke(String token) {
        TokenRecord record = recordOf(token);
        synchronized (record) {
            record.revoked = true;
            save(record, true);
            return info(record);
        }
    }

    @Override
    public TokenInfo revokeById(String id) {
        TokenRecord record = id == null ? null : records.get(id);
        if (record == null) {
            throw invalid("there is no token with id '" + (id == null ? "" : id.replaceAll("[^\\x21-\\x7e]", "?"))
                    + "'; see dbx token list");
        }
        synchronized (record) {
            record.revoked = true;
            save(record, true);
            return info(record);
        }
    }

    @Override
    public TokenInfo refresh(String token, Long expirationSeconds, Long writeLimit) {
        TokenRecord record = recordOf(token);
        if (writeLimit != null && writeLimit < 0) {
            throw invalid("--limit must be 0 or more writes");
        }
        synchronized (record) {
            if (record.revoked) {
                throw Jwt.unauthenticated("the token has been revoked and cannot be refreshed");
            }
            if (expirationSeconds != null) {
                record.lifetime = lifetime(expirationSeconds);
                record.expiresAt = now() + record.lifetime;
            }
            if (writeLimit != null) {
                record.writeLimit = record.writeLimit == null ? writeLimit : Math.max(record.writeLimit, writeLimit);
                record.granted = record.usedAppends + writeLimit;
            }
            save(record, true);
            return info(record);
        }
    }

    /** The record of a token this server signed, whatever its state. */
    private TokenRecord recordOf(String token) {
        Presented key = token == null ? null : Presented.of(token);
        String id = key == null ? null : verified.get(key);
        if (id == null) {
            id = jwt.verify(token).path("jti").asText();
            if (verified.size() >= VERIFIED_CACHE_SIZE) {
                verified.clear(); // crude but bounded; a miss costs one signature check
            }
            verified.put(key, id);
        }
        TokenRecord record = records.get(id);
        if (record == null) {
            throw Jwt.unauthenticated("the token is not known to this server");
        }
        return record;
    }

    /**
     * A presented token as a cache key, hashed over its last 32 characters only: they are signature, as random as
     * a hash, and each request brings a new string whose {@code String.hashCode} would walk all ~600 characters
     * (measured: 4 % of a GET). Equality still compares the whole token.
     */
    private record Presented(String token, int hash) {
        static Presented of(String token) {
            int h = 0;
            for (int i = Math.max(0, token.length() - 32); i < token.length(); i++) {
                h = 31 * h + token.charAt(i);
            }
            return new Presented(token, h);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Presented p && p.hash == hash && p.token.equals(token);
        }
    }

    // ------------------------------------------------------------------ authentication and write limits

    @Override
    public Principal authenticate(String token) {
        TokenRecord record = recordOf(token);
        long now = now();
        if (record.revoked) {
            throw Jwt.unauthenticated("the token has been revoked");
        }
        long expiresAt = record.expiresAt;
        if (now > expiresAt + CLOCK_SKEW_SECONDS) {
            throw Jwt.unauthenticated("the token expired at " + Instant.ofEpochSecond(expiresAt));
        }
        if (record.keepAlive && now + record.lifetime - expiresAt >= 1) {
            extend(record, now);
        }
        return record.principal;
    }

    /**
     * Moves a keep-alive token's expiry forward. One request at a time does it (at most about once a second per
     * token); the others go on at once, since the token is still valid while the extension is written.
     */
    private void extend(TokenRecord record, long now) {
        if (!record.extending.compareAndSet(false, true)) {
            return;
        }
        try {
            synchronized (record) {
                if (!record.revoked && now + record.lifetime - record.expiresAt >= 1) {
                    record.expiresAt = now + record.lifetime;
                    save(record, false);
                }
            }
        } finally {
            record.extending.set(false);
        }
    }

    @Override
    public void consumeWrites(Principal principal, int count) {
        TokenRecord record = principal.tokenId() == null ? null : records.get(principal.tokenId());
        if (record == null || record.writeLimit == null) {
            return; // no allowance to take from: no lock on the write path
        }
        synchronized (record) {
            if (record.granted == null) {
                return;
            }
            if (record.remaining() < count) {
                throw limitReached(record, count);
            }
            record.granted -= count;
            save(record, true);
        }
    }

    private static TokenException limitReached(TokenRecord record, int count) {
        return new TokenException(
                TokenException.Reason.WRITE_LIMIT_REACHED,
                "forbidden: the token's write limit is reached (" + record.remaining() + " of " + record.writeLimit
                        + " writes left, " + count + " needed)");
    }

    @Override
    public boolean isActive(Principal principal) {
        if (principal.tokenId() == null) {
            return true; // the local administrator: no token to revoke or expire
        }
        TokenRecord record = records.get(principal.tokenId());
        return record != null && !record.revoked && now() <= record.expiresAt + CLOCK_SKEW_SECONDS;
    }

    @Override
    public WriteAllowance allowance(Principal principal) {
        TokenRecord record = principal.tokenId() == null ? null : records.get(principal.tokenId());
        if (record == null || record.writeLimit == null) {
            return null; // unlimited: nothing to pay, nothing to lock
        }
        byte[] key = key(USED_PREFIX, record.id);
        return new WriteAllowance() {
            @Override
            public Map.Entry<byte[], byte[]> take() {
                synchronized (record) {
                    if (record.granted != null && record.remaining() < 1) {
                        throw limitReached(record, 1);
                    }
                    record.usedAppends++;
                    return Map.entry(
                            key,
                            ByteBuffer.allocate(8).putLong(record.usedAppends).array());
                }
            }

            @Override
            public void giveBack() {
                synchronized (record) {
                    record.usedAppends--;
                }
            }
        };
    }

    @Override
    public void refundWrites(Principal principal, int count) {
        TokenRecord record = principal.tokenId() == null ? null : records.get(principal.tokenId());
        if (record == null) {
            return;
        }
        synchronized (record) {
            if (record.granted != null) {
                record.granted = Math.min(record.writeLimit + record.usedAppends, record.granted + count);
                save(record, false);
            }
        }
    }

    // ------------------------------------------------------------------ records

    private TokenInfo info(TokenRecord r) {
        synchronized (r) {
            String status = r.revoked ? "revoked" : now() > r.expiresAt + CLOCK_SKEW_SECONDS ? "expired" : "active";
            return new TokenInfo(
                    r.id,
                    r.group,
                    r.user,
                    status,
                    Instant.ofEpochSecond(r.issuedAt).toString(),
                    Instant.ofEpochSecond(r.expiresAt).toString(),
                    r.writeLimit,
                    r.remaining(),
                    r.keepAlive,
                    r.actions,
                    r.resources,
                    r.issuedBy);
        }
    }

    private void save(TokenRecord r, boolean sync) {
        ObjectNode node = json.createObjectNode();
        node.put("id", r.id);
        node.put("group", r.group);
        node.put("user", r.user);
        node.put("issued_at", r.issuedAt);
        node.put("expires_at", r.expiresAt);
        node.put("lifetime", r.lifetime);
        node.put("keep_alive", r.keepAlive);
        if (r.writeLimit != null) {
            node.put("write_limit", r.writeLimit);
            node.put("granted", r.granted);
        }
        r.actions.forEach(node.putArray("actions")::add);
        r.resources.forEach(node.putArray("resources")::add);
        node.put("issued_by", r.issuedBy);
        node.put("revoked", r.revoked);
        try {
            byte[] key = key(r.id);
            byte[] sealed = protector.seal(SCOPE, key, json.writeValueAsBytes(node));
            storage.write(new WriteBatch().put(key, sealed), sync);
        } catch (IOException e) {
            throw new TokenException(
                    TokenException.Reason.UNAVAILABLE, "token records cannot be stored now: " + e.getMessage());
        }
    }

    private TokenRecord decode(KeyValue kv) throws IOException {
        JsonNode n;
        try {
            n = json.readTree(protector.open(SCOPE, kv.key(), kv.value()));
        } catch (TamperedDataException e) {
            throw new IOException("a stored token record is damaged: " + e.getMessage(), e);
        }
        List<String> actions = new ArrayList<>();
        n.path("actions").forEach(a -> actions.add(a.asText()));
        List<String> resources = new ArrayList<>();
        n.path("resources").forEach(r -> resources.add(r.asText()));
        Long limit = n.has("write_limit") ? n.get("write_limit").asLong() : null;
        // "granted" (writes granted, less those staged; the appends paid are counted apart); a record written before
        // appends were paid in their own batches has "remaining", which is the same with nothing paid yet
        Long granted = n.has("granted")
                ? Long.valueOf(n.get("granted").asLong())
                : n.has("remaining") ? Long.valueOf(n.get("remaining").asLong()) : null;
        return new TokenRecord(
                n.path("id").asText(),
                n.path("group").asText(),
                n.path("user").asText(),
                n.path("issued_at").asLong(),
                n.path("expires_at").asLong(),
                n.path("lifetime").asLong(),
                n.path("keep_alive").asBoolean(),
                limit,
                granted,
                actions,
                resources,
                n.path("issued_by").asText(),
                n.path("revoked").asBoolean());
    }

    private static byte[] key(String id) {
        return key(PREFIX, id);
    }

    /** A token's key under a prefix: the record ({@code T}) or its count of paid appends ({@code W}), then the id. */
    private static byte[] key(byte prefix, String id) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[idBytes.length + 1];
        key[0] = prefix;
        System.arraycopy(idBytes, 0, key, 1, idBytes.length);
        return key;
    }

    private static String name(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw invalid("--" + what + " must be 1 to 64 of A-Z a-z 0-9 . _ @ -");
        }
        return value;
    }

    private static long lifetime(Long seconds) {
        long s = seconds == null ? DEFAULT_LIFETIME_SECONDS : seconds;
        if (s < 1 || s > MAX_LIFETIME_SECONDS) {
            throw invalid("--expiration must be between 1 and " + MAX_LIFETIME_SECONDS + " seconds");
        }
        return s;
    }

    private static TokenException invalid(String message) {
        return new TokenException(Reason.INVALID, message);
    }

    private static TokenException forbidden(String message) {
        return new TokenException(Reason.FORBIDDEN, message);
    }
}
