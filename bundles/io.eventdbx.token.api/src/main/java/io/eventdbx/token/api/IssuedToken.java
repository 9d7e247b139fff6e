package io.eventdbx.token.api;

/**
 * A newly issued (or refreshed) token: the only time the token string is available.
 *
 * @param token the signed token, to give to its holder
 * @param info its record
 */
public record IssuedToken(String token, TokenInfo info) {}
