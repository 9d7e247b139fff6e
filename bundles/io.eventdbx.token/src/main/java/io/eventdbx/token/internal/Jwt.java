package io.eventdbx.token.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventdbx.token.api.TokenException;
import io.eventdbx.token.api.TokenException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Compact JWS (RFC 7515) with {@code alg: EdDSA} (RFC 8037): {@code base64url(header) . base64url(claims) .
 * base64url(Ed25519 signature over the first two parts)}. The claims are in {@code docs/tokens.md}.
 */
final class Jwt {

    static final int MAX_LENGTH = 8192;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final ObjectMapper json = new ObjectMapper();
    private final SigningKey key;

    Jwt(SigningKey key) {
        this.key = key;
    }

    String sign(ObjectNode claims) {
        ObjectNode header = json.createObjectNode();
        header.put("alg", "EdDSA");
        header.put("typ", "JWT");
        header.put("kid", key.keyId());
        try {
            String signingInput = ENCODER.encodeToString(json.writeValueAsBytes(header)) + "."
                    + ENCODER.encodeToString(json.writeValueAsBytes(claims));
            byte[] signature = key.sign(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + ENCODER.encodeToString(signature);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a token: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the form and the signature.
     *
     * @return the claims
     * @throws TokenException UNAUTHENTICATED if it is not a token signed by this server
     */
    JsonNode verify(String token) {
        if (token == null || token.isBlank()) {
            throw unauthenticated("no token was given");
        }
        String t = token.strip();
        if (t.length() > MAX_LENGTH) {
            throw unauthenticated("the token is not valid (too long)");
        }
        int first = t.indexOf('.');
        int second = first < 0 ? -1 : t.indexOf('.', first + 1);
        if (first < 0 || second < 0 || t.indexOf('.', second + 1) >= 0) {
            throw unauthenticated("the token is not valid (not a signed token)");
        }
        if (!canonical(t, 0, first) || !canonical(t, first + 1, second) || !canonical(t, second + 1, t.length())) {
            // One token, one spelling: padding, stray characters or non-zero spare bits would give the same
            // signed bytes under another string.
            throw unauthenticated("the token is not valid (not canonical base64url)");
        }
        try {
            JsonNode header = json.readTree(DECODER.decode(t.substring(0, first)));
            if (!"EdDSA".equals(header.path("alg").asText())) {
                throw unauthenticated("the token is not valid (unsupported algorithm)");
            }
            byte[] signature = DECODER.decode(t.substring(second + 1));
            if (signature.length != 64) {
                // the JDK's Ed25519 check reads the first 64 bytes and ignores what follows
                throw unauthenticated("the token is not valid (an Ed25519 signature has 64 bytes)");
            }
            if (!key.verify(t.substring(0, second).getBytes(StandardCharsets.US_ASCII), signature)) {
                throw unauthenticated("the token's signature is not valid");
            }
            JsonNode claims = json.readTree(DECODER.decode(t.substring(first + 1, second)));
            if (claims == null || !claims.isObject()) {
                throw unauthenticated("the token is not valid (no claims)");
            }
            return claims;
        } catch (IllegalArgumentException | IOException e) {
            throw unauthenticated("the token is not valid (malformed)");
        }
    }

    /** Whether {@code t[from, to)} is unpadded base64url that encodes its bytes in the one canonical way. */
    private static boolean canonical(String t, int from, int to) {
        int length = to - from;
        if (length == 0 || length % 4 == 1) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = t.charAt(i);
            boolean ok =
                    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        if (length % 4 == 0) {
            return true;
        }
        // the last character's spare low bits must be zero (2 spare bits after 3 chars, 4 after 2)
        char last = t.charAt(to - 1);
        int value = last >= 'A' && last <= 'Z'
                ? last - 'A'
                : last >= 'a' && last <= 'z'
                        ? last - 'a' + 26
                        : last >= '0' && last <= '9' ? last - '0' + 52 : last == '-' ? 62 : 63;
        int spare = length % 4 == 2 ? 0x0f : 0x03;
        return (value & spare) == 0;
    }

    ObjectNode newClaims() {
        return json.createObjectNode();
    }

    static TokenException unauthenticated(String message) {
        return new TokenException(Reason.UNAUTHENTICATED, "unauthenticated: " + message);
    }
}
