/**
 * The control socket's wire protocol, shared by the server (this bundle) and the {@code dbx} launcher.
 *
 * <p>See {@code docs/control-protocol.md}. In short: the server greets with a magic string and a random
 * nonce; the client proves it holds the administrator credential with an HMAC-SHA256 of the nonce (the
 * credential itself never crosses the wire); then it sends one request (run a command, or open a shell) and
 * receives framed standard output, standard error and an exit code. JDK types only.
 */
@Export
@Version("1.0.0")
package io.eventdbx.control.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
