package io.eventdbx.config;

import java.util.Locale;

/** Decides which configuration keys hold secrets, so that their values are never printed. */
public final class Secrets {

    private Secrets() {}

    /**
     * Whether a key names a secret: anything that mentions a key, secret, password, token or the DEK.
     * Deliberately broad: masking a harmless value costs nothing, printing a secret cannot be undone.
     *
     * @param key a dotted configuration key
     * @return true if its value must be masked
     */
    public static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("key")
                || k.contains("secret")
                || k.contains("password")
                || k.contains("token")
                || k.equals("dek")
                || k.endsWith(".dek")
                || k.contains("credential");
    }
}
