package io.eventdbx.token.api;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** Issues and checks tokens. Thread-safe. */
@ProviderType
public interface TokenService {

    /**
     * Issues a token. A holder of {@link Actions#TOKEN_MANAGE} who is not an administrator can only grant what it
     * holds itself.
     *
     * @param request what to grant
     * @param issuer who asks
     * @return the token and its record
     * @throws TokenException INVALID for a bad request, FORBIDDEN if the issuer may not grant it
     */
    IssuedToken issue(TokenRequest request, Principal issuer);

    /** Every token's record, newest first. */
    List<TokenInfo> list();

    /**
     * Revokes a token at once.
     *
     * @param token the token string
     * @return its record, now revoked
     * @throws TokenException UNAUTHENTICATED if it is not a token of this server
     */
    TokenInfo revoke(String token);

    /**
     * Revokes a token at once, named by the id that {@link #list()} shows: for a token whose string is lost.
     *
     * @param id the token's id
     * @return its record, now revoked
     * @throws TokenException INVALID if no token has that id
     * @since 1.3
     */
    TokenInfo revokeById(String id);

    /**
     * Extends a token's lifetime and/or write allowance.
     *
     * @param token the token string
     * @param expirationSeconds new lifetime from now, or null to keep the expiry
     * @param writeLimit new number of writes left, or null to keep it
     * @return its record
     * @throws TokenException UNAUTHENTICATED if it is not an active token of this server
     */
    TokenInfo refresh(String token, Long expirationSeconds, Long writeLimit);

    /**
     * Checks a presented token: signature, expiry (with 30 s of clock skew), revocation. A keep-alive token's
     * expiry moves forward.
     *
     * @param token the token string
     * @return who it stands for
     * @throws TokenException UNAUTHENTICATED, with a message that says what is wrong with it
     */
    Principal authenticate(String token);

    /**
     * Checks the token of an HTTP {@code Authorization: Bearer <token>} header, as {@link #authenticate} does.
     *
     * @param authorizationHeader the header's value, or null if the request has none
     * @return who the token stands for
     * @throws TokenException UNAUTHENTICATED if there is no bearer token, or it is refused
     */
    default Principal authenticateBearer(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new TokenException(
                    TokenException.Reason.UNAUTHENTICATED,
                    "unauthenticated: send the token as 'Authorization: Bearer <token>'");
        }
        return authenticate(authorizationHeader.substring(7).strip());
    }

    /**
     * Whether the token a principal was authenticated with is still good (not revoked, not expired): for what outlives
     * one request, such as a subscription.
     *
     * @param principal who was authenticated
     * @return true for the local administrator and for a token still in force
     * @since 1.3
     */
    boolean isActive(Principal principal);

    /**
     * The write allowance of a limited token, to be taken inside the group commit of each append (see {@link
     * WriteAllowance}).
     *
     * @param principal who writes
     * @return its allowance, or null when it has no limit (no token, or a token without {@code --limit})
     * @since 1.3
     */
    WriteAllowance allowance(Principal principal);

    /**
     * Takes writes from a token's allowance before they are made; durable before it returns. No-op for
     * principals without a token or without a limit.
     *
     * @param principal who writes
     * @param count how many events
     * @throws TokenException FORBIDDEN if fewer than {@code count} are left
     */
    void consumeWrites(Principal principal, int count);

    /**
     * Gives back writes that were taken but not made (the append was refused).
     *
     * @param principal who tried to write
     * @param count how many events
     */
    void refundWrites(Principal principal, int count);
}
