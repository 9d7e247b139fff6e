package io.eventdbx.control.protocol;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The client side of the control protocol: connect, authenticate, run one command or a shell.
 *
 * <p>Not thread-safe; one request per connection.
 */
public final class ControlClient implements Closeable {

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    private ControlClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    }

    /**
     * Connects and authenticates as the administrator.
     *
     * @param address the server's control endpoint
     * @param credential the administrator credential of the server's data directory
     * @param connectTimeoutMillis how long to wait for the connection
     * @return an authenticated client
     * @throws IOException if the server is unreachable, speaks another protocol or refuses the credential
     */
    public static ControlClient connect(InetSocketAddress address, AdminCredential credential, int connectTimeoutMillis)
            throws IOException {
        return connect(
                address,
                nonce -> {
                    byte[] proof = credential.proof(nonce);
                    byte[] payload = new byte[1 + proof.length];
                    payload[0] = Frame.AUTH_ADMIN;
                    System.arraycopy(proof, 0, payload, 1, proof.length);
                    return payload;
                },
                connectTimeoutMillis);
    }

    /**
     * Connects and authenticates with an access token; commands then run as its holder.
     *
     * @param address the server's control endpoint
     * @param token the token
     * @param connectTimeoutMillis how long to wait for the connection
     * @return an authenticated client
     * @throws IOException if the server is unreachable or speaks another protocol
     * @throws AuthenticationException if the server refuses the token (the message says why)
     */
    public static ControlClient connect(InetSocketAddress address, String token, int connectTimeoutMillis)
            throws IOException {
        byte[] text = token.strip().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (text.length + 1 > ControlProtocol.MAX_UNAUTHENTICATED_FRAME) {
            throw new AuthenticationException("unauthenticated: the token is not valid (too long)");
        }
        return connect(
                address,
                nonce -> {
                    byte[] payload = new byte[1 + text.length];
                    payload[0] = Frame.AUTH_TOKEN;
                    System.arraycopy(text, 0, payload, 1, text.length);
                    return payload;
                },
                connectTimeoutMillis);
    }

    private static ControlClient connect(
            InetSocketAddress address, java.util.function.Function<byte[], byte[]> auth, int connectTimeoutMillis)
            throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, connectTimeoutMillis);
            socket.setSoTimeout(ControlProtocol.HANDSHAKE_TIMEOUT_MILLIS);
            ControlClient client = new ControlClient(socket);
            client.authenticate(auth);
            socket.setSoTimeout(0);
            return client;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void authenticate(java.util.function.Function<byte[], byte[]> auth) throws IOException {
        byte[] greeting = new byte[ControlProtocol.GREETING.length];
        in.readFully(greeting);
        if (!Arrays.equals(greeting, ControlProtocol.GREETING)) {
            throw new ProtocolException("the peer is not an EventDBX control socket");
        }
        byte[] nonce = new byte[ControlProtocol.NONCE_LENGTH];
        in.readFully(nonce);
        Frame.send(out, Frame.AUTH, auth.apply(nonce));
        Frame reply = Frame.read(in, ControlProtocol.MAX_UNAUTHENTICATED_FRAME);
        if (reply.type() == Frame.ERROR) {
            throw new AuthenticationException(reply.text());
        }
        if (reply.type() != Frame.AUTH_OK) {
            throw new ProtocolException("unexpected reply to authentication");
        }
    }

    /**
     * Runs one command on the server and copies its output.
     *
     * @param args the command word and its arguments
     * @param stdout where the command's standard output goes
     * @param stderr where its standard error goes
     * @return the command's exit code
     * @throws IOException if the connection fails before the command finishes
     */
    public int execute(List<String> args, OutputStream stdout, OutputStream stderr) throws IOException {
        return execute(args, InputStream.nullInputStream(), stdout, stderr);
    }

    /**
     * Runs one command on the server with standard input: what {@code stdin} gives is sent as the command reads
     * on (a confirmation prompt such as {@code dbx queue clear}'s), then its end.
     *
     * @param args the command word and its arguments
     * @param stdin the command's input
     * @param stdout where the command's standard output goes
     * @param stderr where its standard error goes
     * @return the command's exit code
     * @throws IOException if the connection fails before the command finishes
     */
    public int execute(List<String> args, InputStream stdin, OutputStream stdout, OutputStream stderr)
            throws IOException {
        synchronized (out) {
            Frame.send(out, Frame.EXEC, Frame.encodeStrings(args));
        }
        Thread feeder = new Thread(() -> feed(stdin), "dbx-exec-stdin");
        feeder.setDaemon(true);
        feeder.start();
        return pump(stdout, stderr);
    }

    /**
     * Opens an interactive shell: lines from {@code stdin} are sent as they are read, output is copied until
     * the server ends the session.
     *
     * @param stdin the user's input
     * @param stdout where output goes
     * @param stderr where errors go
     * @return the shell's exit code
     * @throws IOException if the connection fails
     */
    public int shell(InputStream stdin, OutputStream stdout, OutputStream stderr) throws IOException {
        synchronized (out) {
            Frame.send(out, Frame.SHELL, new byte[0]);
        }
        Thread feeder = new Thread(() -> feed(stdin), "dbx-shell-stdin");
        feeder.setDaemon(true);
        feeder.start();
        return pump(stdout, stderr);
    }

    private void feed(InputStream stdin) {
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = stdin.read(buffer)) >= 0) {
                synchronized (out) {
                    Frame.write(out, Frame.STDIN, buffer, 0, n);
                    out.flush();
                }
            }
            synchronized (out) {
                Frame.send(out, Frame.STDIN_EOF, new byte[0]);
            }
        } catch (IOException e) {
            // The session ended while input was still being read: nothing left to deliver it to.
        }
    }

    private int pump(OutputStream stdout, OutputStream stderr) throws IOException {
        while (true) {
            Frame frame;
            try {
                frame = Frame.read(in, ControlProtocol.MAX_FRAME);
            } catch (EOFException e) {
                throw new IOException("the server closed the connection before the command finished");
            }
            switch (frame.type()) {
                case Frame.STDOUT -> {
                    stdout.write(frame.payload());
                    stdout.flush();
                }
                case Frame.STDERR -> {
                    stderr.write(frame.payload());
                    stderr.flush();
                }
                case Frame.EXIT -> {
                    return ByteBuffer.wrap(frame.payload()).getInt();
                }
                case Frame.ERROR -> throw new IOException(frame.text());
                default -> throw new ProtocolException("unexpected frame type " + (char) frame.type());
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
