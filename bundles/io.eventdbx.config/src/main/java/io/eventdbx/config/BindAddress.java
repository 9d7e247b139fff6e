package io.eventdbx.config;

/**
 * A listener address {@code host:port}; IPv6 hosts in brackets ({@code [::1]:6363}). Port 0 asks the
 * operating system for a free port.
 *
 * @param host the host name or literal address
 * @param port the port, 0..65535
 */
public record BindAddress(String host, int port) {

    /**
     * Parses {@code host:port}.
     *
     * @param key the setting being parsed, for the error message
     * @param text the address
     * @return the address
     * @throws ConfigException if the text is not host:port with a port in range
     */
    public static BindAddress parse(String key, String text) {
        String value = text == null ? "" : text.trim();
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new ConfigException("invalid " + key + " '" + text + "': expected host:port, e.g. 127.0.0.1:6363");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new ConfigException(
                    "invalid " + key + " '" + text + "': write IPv6 hosts in brackets, e.g. [::1]:6363");
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException("invalid " + key + " '" + text + "': the port must be a number");
        }
        if (port < 0 || port > 65535 || host.isBlank()) {
            throw new ConfigException(
                    "invalid " + key + " '" + text + "': expected host:port with a port between 0 and 65535");
        }
        return new BindAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
