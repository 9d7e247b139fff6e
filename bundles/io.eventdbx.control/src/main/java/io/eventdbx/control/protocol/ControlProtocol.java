package io.eventdbx.control.protocol;

import java.nio.charset.StandardCharsets;

/** Constants of the control protocol. */
public final class ControlProtocol {

    /** What the server sends first, before the nonce. Version 1. */
    public static final byte[] GREETING = "DBXC1".getBytes(StandardCharsets.US_ASCII);

    /** Nonce length in bytes. */
    public static final int NONCE_LENGTH = 32;

    /** Largest frame accepted before authentication. */
    public static final int MAX_UNAUTHENTICATED_FRAME = 4 * 1024;

    /** Largest frame accepted after authentication. */
    public static final int MAX_FRAME = 16 * 1024 * 1024;

    /** Milliseconds a peer has to authenticate and send its request. */
    public static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    /** Bound into every proof so that it cannot be replayed in another protocol. */
    static final byte[] PROOF_CONTEXT = "eventdbx-control-v1".getBytes(StandardCharsets.US_ASCII);

    private ControlProtocol() {}
}
