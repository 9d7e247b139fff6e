package io.eventdbx.control.internal;

import io.eventdbx.command.support.SimpleCommandContext;
import io.eventdbx.control.protocol.AdminCredential;
import io.eventdbx.control.protocol.ControlProtocol;
import io.eventdbx.control.protocol.Frame;
import io.eventdbx.control.protocol.ProtocolException;
import io.eventdbx.token.api.Principal;
import io.eventdbx.token.api.TokenException;
import io.eventdbx.token.api.TokenService;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket: the channel over which the {@code dbx} launcher runs commands in the server.
 *
 * <p>Only a peer that proves it holds the administrator credential of this data directory, or presents a valid
 * access token (then it acts as the token's holder), gets to run
 * anything; an unauthenticated peer gets "authentication failed" and the connection is closed. The component
 * runs only when its configuration exists, which the configuration bundle creates in server mode: an
 * embedded runtime has no listener. Once bound, the real address is published as an
 * {@link InetSocketAddress} service with {@code eventdbx.endpoint=control} (port 0 in the configuration picks a
 * free port).
 */
@Component(configurationPid = "io.eventdbx.control", configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class ControlServer {

    /** Configuration of the control socket. */
    public @interface Config {
        /**
         * Listener address.
         *
         * @return host:port
         */
        String bind__addr() default "127.0.0.1:6363";

        /**
         * The administrator credential file.
         *
         * @return an absolute path
         */
        String admin__key__file();
    }

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    /** Authenticated connections served at once. */
    private static final int MAX_CONNECTIONS = 32;
    /**
     * Connections still in their handshake. Beyond it the oldest of them is closed to make room: peers that connect
     * and say nothing cannot keep the owner out, who completes the handshake in a millisecond.
     */
    private static final int MAX_HANDSHAKES = 16;

    private final CommandDispatcher dispatcher;
    private final AdminCredential credential;
    private final ServerSocket serverSocket;
    private final ThreadPoolExecutor workers;
    private final Thread acceptor;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    // Connections in their handshake, oldest first (only the acceptor adds; a handshake's end removes).
    private final java.util.concurrent.ConcurrentLinkedDeque<Socket> handshaking =
            new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final AtomicInteger authenticated = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();
    private final ServiceRegistration<InetSocketAddress> endpoint;
    private final Principal administrator = Principal.administrator(System.getProperty("user.name"));
    private volatile TokenService tokens;

    /**
     * Binds the listener and starts accepting connections.
     *
     * @param bundleContext to publish the bound endpoint
     * @param dispatcher runs commands
     * @param config where to listen and which credential to accept
     * @throws IOException if the address cannot be bound or the credential cannot be read
     */
    @Activate
    public ControlServer(BundleContext bundleContext, @Reference CommandDispatcher dispatcher, Config config)
            throws IOException {
        this.dispatcher = dispatcher;
        this.credential = AdminCredential.loadOrCreate(Path.of(config.admin__key__file()));
        InetSocketAddress bind = parse(config.bind__addr());
        this.serverSocket = new ServerSocket();
        try {
            serverSocket.setReuseAddress(true);
            serverSocket.bind(bind, 64);
        } catch (IOException e) {
            serverSocket.close();
            throw new IOException("cannot listen on " + config.bind__addr() + ": " + e.getMessage(), e);
        }
        AtomicInteger counter = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(
                0,
                // room for the evicted handshakes whose threads are still ending
                MAX_CONNECTIONS + 2 * MAX_HANDSHAKES,
                30,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "dbx-control-" + counter.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.acceptor = new Thread(this::acceptLoop, "dbx-control-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        InetSocketAddress bound = (InetSocketAddress) serverSocket.getLocalSocketAddress();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("eventdbx.endpoint", "control");
        props.put("eventdbx.endpoint.address", bound.getAddress().getHostAddress() + ":" + bound.getPort());
        this.endpoint = bundleContext.registerService(InetSocketAddress.class, bound, props);
        LOG.info("control socket listening on {}", props.get("eventdbx.endpoint.address"));
    }

    /** Stops listening, closes every connection and ends every thread this component started. */
    @Deactivate
    void deactivate() throws InterruptedException {
        try {
            endpoint.unregister();
        } catch (IllegalStateException alreadyUnregistered) {
            // the framework is shutting down and did it first
        }
        closeQuietly(serverSocket);
        connections.forEach(ControlServer::closeQuietly);
        workers.shutdownNow();
        acceptor.join(5_000);
        workers.awaitTermination(5, TimeUnit.SECONDS);
    }

    private static InetSocketAddress parse(String address) throws IOException {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IOException("invalid control socket address '" + address + "'");
        }
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(address.substring(colon + 1));
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!serverSocket.isClosed()) {
                    LOG.warn("control socket accept failed: {}", e.getMessage());
                }
                continue;
            }
            while (handshaking.size() >= MAX_HANDSHAKES) {
                Socket oldest = handshaking.pollFirst();
                if (oldest != null) {
                    closeQuietly(oldest); // its thread sees the close and ends
                }
            }
            connections.add(socket);
            handshaking.addLast(socket);
            try {
                workers.execute(() -> serve(socket));
            } catch (RejectedExecutionException e) {
                // every thread is busy (evicted handshakes still ending): the peer may retry at once
                handshaking.remove(socket);
                connections.remove(socket);
                closeQuietly(socket);
            }
        }
    }

    private void serve(Socket socket) {
        String peer = String.valueOf(socket.getRemoteSocketAddress());
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(ControlProtocol.HANDSHAKE_TIMEOUT_MILLIS);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            byte[] nonce = new byte[ControlProtocol.NONCE_LENGTH];
            random.nextBytes(nonce);
            out.write(ControlProtocol.GREETING);
            out.write(nonce);
            out.flush();
            Frame auth = Frame.read(in, ControlProtocol.MAX_UNAUTHENTICATED_FRAME);
            Principal caller;
            try {
                caller = authenticate(auth, nonce);
            } catch (TokenException e) {
                // The reason concerns the presented token only; it is safe to tell its holder.
                LOG.warn("refused a control connection from {}: {}", peer, e.getMessage());
                Frame.send(out, Frame.ERROR, e.getMessage().getBytes(StandardCharsets.UTF_8));
                return;
            }
            handshaking.remove(socket);
            if (authenticated.incrementAndGet() > MAX_CONNECTIONS) {
                authenticated.decrementAndGet();
                Frame.send(
                        out, Frame.ERROR, "server busy: too many control connections".getBytes(StandardCharsets.UTF_8));
                return;
            }
            try {
                Frame.send(out, Frame.AUTH_OK, new byte[0]);
                Frame request = Frame.read(in, ControlProtocol.MAX_FRAME);
                socket.setSoTimeout(0);
                java.util.concurrent.atomic.AtomicReference<Thread> watcher =
                        new java.util.concurrent.atomic.AtomicReference<>();
                int exit = handle(request, in, out, caller, watcher);
                synchronized (out) {
                    Frame.send(
                            out, Frame.EXIT, ByteBuffer.allocate(4).putInt(exit).array());
                }
                closeGracefully(socket, in, watcher.get());
            } finally {
                authenticated.decrementAndGet();
            }
        } catch (EOFException | SocketException e) {
            LOG.debug("control connection from {} closed: {}", peer, e.getMessage());
        } catch (ProtocolException e) {
            LOG.warn("control connection from {} broke the protocol: {}", peer, e.getMessage());
        } catch (IOException e) {
            LOG.debug("control connection from {} failed: {}", peer, e.getMessage());
        } finally {
            handshaking.remove(socket);
            connections.remove(socket);
        }
    }

    /**
     * Who the peer is: the administrator (a valid HMAC proof) or a token's holder.
     *
     * @throws TokenException UNAUTHENTICATED if the peer proved neither
     */
    private Principal authenticate(Frame auth, byte[] nonce) {
        if (auth.type() != Frame.AUTH || auth.payload().length < 1) {
            throw new TokenException(TokenException.Reason.UNAUTHENTICATED, "authentication failed");
        }
        byte[] rest = java.util.Arrays.copyOfRange(auth.payload(), 1, auth.payload().length);
        if (auth.payload()[0] == Frame.AUTH_ADMIN) {
            if (credential.verify(nonce, rest)) {
                return administrator;
            }
            throw new TokenException(TokenException.Reason.UNAUTHENTICATED, "authentication failed");
        }
        if (auth.payload()[0] == Frame.AUTH_TOKEN) {
            TokenService service = tokens;
            if (service == null) {
                throw new TokenException(
                        TokenException.Reason.UNAUTHENTICATED,
                        "unauthenticated: tokens cannot be checked (the token service is not running)");
            }
            return service.authenticate(new String(rest, StandardCharsets.UTF_8));
        }
        throw new TokenException(TokenException.Reason.UNAUTHENTICATED, "authentication failed");
    }

    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setTokens(TokenService tokens) {
        this.tokens = tokens;
    }

    void unsetTokens(TokenService tokens) {
        if (this.tokens == tokens) {
            this.tokens = null;
        }
    }

    /**
     * Ends the connection after the answer without losing it: the launcher may still be sending standard input
     * (STDIN frames, STDIN_EOF) when the command ends, and closing a socket with unread input makes the kernel send a
     * reset, which can reach the launcher before the EXIT frame it has not read yet. So the answer is followed by a
     * FIN, and the socket closes once the launcher has closed its side (it does after EXIT), or after 2 s.
     */
    private static void closeGracefully(Socket socket, DataInputStream in, Thread watcher) {
        try {
            socket.shutdownOutput();
            if (watcher != null) {
                watcher.join(2_000); // it reads the connection until the launcher closes it
                return;
            }
            socket.setSoTimeout(2_000);
            byte[] discard = new byte[8192];
            while (in.read(discard) >= 0) {
                // standard input nobody reads any more
            }
        } catch (IOException e) {
            // the launcher is gone already: nothing left to drain
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int handle(
            Frame request,
            DataInputStream in,
            DataOutputStream out,
            Principal caller,
            java.util.concurrent.atomic.AtomicReference<Thread> watcherOut)
            throws IOException {
        PrintStream stdout = new PrintStream(new FrameOutputStream(out, Frame.STDOUT), true, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(new FrameOutputStream(out, Frame.STDERR), true, StandardCharsets.UTF_8);
        try {
            switch (request.type()) {
                case Frame.EXEC: {
                    List<String> argv = Frame.decodeStrings(request.payload());
                    CommandInput stdin = new CommandInput();
                    return watched(
                            in,
                            stdin,
                            watcherOut,
                            () -> dispatcher.dispatch(argv, new SimpleCommandContext(stdout, stderr, stdin, caller)));
                }
                case Frame.SHELL: {
                    return dispatcher.shell(new SimpleCommandContext(stdout, stderr, new FrameInputStream(in), caller));
                }
                default:
                    throw new ProtocolException("unknown request type " + (char) request.type());
            }
        } finally {
            stdout.flush();
            stderr.flush();
        }
    }

    /**
     * Runs a command while a watcher reads the connection: after the command the launcher sends only its standard
     * input (STDIN frames, then STDIN_EOF), so the read ends when the launcher goes away (Ctrl-C, a killed process),
     * and then the command's thread is interrupted. A long-running command ({@code dbx events --follow}) stops there
     * instead of holding its thread.
     */
    private int watched(
            DataInputStream in,
            CommandInput stdin,
            java.util.concurrent.atomic.AtomicReference<Thread> watcherOut,
            java.util.function.IntSupplier command) {
        Thread worker = Thread.currentThread();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread watcher = new Thread(
                () -> {
                    try {
                        while (true) {
                            Frame frame = Frame.read(in, ControlProtocol.MAX_FRAME);
                            if (frame.type() == Frame.STDIN) {
                                stdin.offer(frame.payload());
                            } else if (frame.type() == Frame.STDIN_EOF) {
                                stdin.end();
                            }
                            // nothing else is sent during a command: anything else is dropped
                        }
                    } catch (IOException gone) {
                        // the launcher went away (or broke the protocol): the same as an end
                    }
                    stdin.end();
                    synchronized (running) {
                        if (running.get()) {
                            worker.interrupt();
                        }
                    }
                },
                worker.getName() + "-watcher");
        watcher.setDaemon(true);
        watcher.start();
        watcherOut.set(watcher);
        try {
            return command.getAsInt();
        } finally {
            synchronized (running) {
                running.set(false);
                Thread.interrupted(); // an interrupt meant for this command must not reach the next one
            }
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // closing on shutdown; nothing useful to do with a failure
        }
    }
}
