package io.eventdbx.emitter.process.internal;

import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.Envelope;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.capnproto.MessageBuilder;
import org.capnproto.MessageReader;
import org.capnproto.ReaderOptions;
import org.capnproto.Serialize;
import org.capnproto.StructList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process plugin instance: a supervisor thread keeps its child running (started on {@link #open}, restarted
 * with backoff, 1 s doubling to 30 s, reset after a minute of running, whenever it exits), and deliveries are batches
 * written to the child's connection, each answered by one {@code Ack}. The child's stdout and stderr go to the server
 * log, line by line, under the logger {@code io.eventdbx.plugin.<name>}. Everything the child sends is checked:
 * a wrong token, a message of more than one segment or 64 KiB, or an answer that is not an {@code Ack} ends the
 * child (it is restarted) and the batch is retried.
 */
final class ProcessEmitter implements Emitter {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessEmitter.class);
    static final Duration HANDSHAKE = Duration.ofSeconds(10);
    static final Duration ANSWER = Duration.ofSeconds(30);
    static final Duration READY_WAIT = Duration.ofSeconds(5);
    private static final int MAX_ANSWER_WORDS = 8 * 1024;
    static final long MAX_BATCH_BYTES = 4L * 1024 * 1024;

    private final String name;
    private final Installed installed;
    private final List<String> args;
    private final Map<String, String> env;
    private final Path workingDir;
    private final Logger childLog;
    private final Object lock = new Object();
    private Thread supervisor; // guarded by lock
    private Child child; // guarded by lock: the connected child, or null
    private String lastFailure = "the plugin process has not started yet"; // guarded by lock
    private volatile boolean closed;

    ProcessEmitter(String name, Installed installed, List<String> args, Map<String, String> env, Path workingDir) {
        this.name = name;
        this.installed = installed;
        this.args = List.copyOf(args);
        this.env = Map.copyOf(env);
        this.workingDir = workingDir;
        this.childLog = LoggerFactory.getLogger("io.eventdbx.plugin." + name);
    }

    /** A running child and its connection. */
    private record Child(Process process, Socket socket, DataInputStream in, OutputStream out) {}

    @Override
    public void check() throws IOException {
        installed.binary();
    }

    @Override
    public void open() throws IOException {
        installed.binary(); // a clear error now rather than a crash loop
        synchronized (lock) {
            if (supervisor == null && !closed) {
                supervisor = new Thread(this::supervise, "dbx-plugin-process-" + name);
                supervisor.setDaemon(true);
                supervisor.start();
            }
        }
    }

    @Override
    public Delivery deliver(List<Envelope> batch) {
        Child current;
        synchronized (lock) {
            long deadline = System.nanoTime() + READY_WAIT.toNanos();
            while (child == null && !closed && supervisor != null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Delivery.retry(0, null, "interrupted");
                }
            }
            current = child;
            if (current == null) {
                return Delivery.unreachable(0, "plugin process not running: " + lastFailure);
            }
        }
        try {
            // a prefix of at most MAX_BATCH_BYTES of JSON (at least one event): the dispatcher offers the rest again
            int count = 0;
            long bytes = 0;
            while (count < batch.size()
                    && (count == 0 || bytes + batch.get(count).json().length() <= MAX_BATCH_BYTES)) {
                bytes += batch.get(count).json().length() + 256L;
                count++;
            }
            // one segment big enough for everything (UTF-8 is at most 3 bytes per char): readers need not join segments
            MessageBuilder message =
                    new MessageBuilder((int) Math.min(Integer.MAX_VALUE / 8, bytes * 3 / 8 + 64L * count + 16));
            Protocol.Batch.Builder root = message.initRoot(Protocol.Batch.FACTORY);
            StructList.Builder<Protocol.Event.Builder> events = root.initEvents(count);
            for (int i = 0; i < count; i++) {
                Envelope e = batch.get(i);
                events.get(i)
                        .set(
                                e.position(),
                                e.aggregateType(),
                                e.aggregateId(),
                                e.eventType(),
                                e.eventId(),
                                e.version(),
                                e.json());
            }
            Serialize.write(Channels.newChannel(current.out()), message);
            current.out().flush();
            current.socket().setSoTimeout((int) ANSWER.toMillis());
            Protocol.Ack.Reader ack =
                    readMessage(current.in(), MAX_ANSWER_WORDS).getRoot(Protocol.Ack.FACTORY);
            int delivered = Math.min(Math.max(ack.delivered(), 0), count);
            return switch (ack.outcome()) {
                case 0 -> Delivery.delivered(delivered);
                case 1 -> Delivery.retry(
                        delivered,
                        ack.retryAfterMillis() > 0
                                ? Duration.ofMillis(Math.min(ack.retryAfterMillis(), 3_600_000))
                                : null,
                        reason(ack.reason(), "the plugin asked for a retry"));
                case 2 -> Delivery.failed(delivered, reason(ack.reason(), "the plugin refused the event"));
                default -> throw new IOException("an Ack with an unknown outcome " + ack.outcome());
            };
        } catch (SocketTimeoutException e) {
            end(current, "did not answer a batch within " + ANSWER.toSeconds() + " s");
            return Delivery.unreachable(0, "plugin process did not answer within " + ANSWER.toSeconds() + " s");
        } catch (IOException | RuntimeException e) {
            end(current, "its connection failed: " + e.getMessage());
            return Delivery.unreachable(0, "plugin process connection failed: " + e.getMessage());
        }
    }

    private static String reason(String given, String fallback) {
        return given == null || given.isBlank() ? fallback : given;
    }

    @Override
    public void close() {
        Thread running;
        Child current;
        synchronized (lock) {
            closed = true;
            running = supervisor;
            current = child;
            child = null;
            lock.notifyAll();
        }
        if (current != null) {
            stop(current);
        }
        if (running != null) {
            running.interrupt();
            try {
                running.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ supervision

    private void supervise() {
        long backoff = 1_000;
        while (!closed) {
            long started = System.nanoTime();
            Child current = null;
            try {
                current = launch();
                synchronized (lock) {
                    if (closed) {
                        stop(current);
                        return;
                    }
                    child = current;
                    lock.notifyAll();
                }
                LOG.info(
                        "plugin {}: process {} started ({} {})",
                        name,
                        current.process().pid(),
                        installed.plugin(),
                        installed.version());
                int code = current.process().waitFor();
                if (!closed) {
                    LOG.warn("plugin {}: process exited with code {}", name, code);
                    fail("it exited with code " + code);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (closed) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("plugin {}: could not start its process: {}", name, e.getMessage());
                fail(e.getMessage());
            } finally {
                synchronized (lock) {
                    if (child == current) {
                        child = null;
                    }
                }
                if (current != null) {
                    stop(current);
                }
            }
            if (closed) {
                return;
            }
            if (System.nanoTime() - started > TimeUnit.MINUTES.toNanos(1)) {
                backoff = 1_000;
            }
            LOG.info("plugin {}: restarting its process in {} ms", name, backoff);
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(backoff * 2, 30_000);
        }
    }

    private void fail(String why) {
        synchronized (lock) {
            lastFailure = why;
        }
    }

    /** Starts the child and waits for it to connect and prove its token. */
    private Child launch() throws IOException, InterruptedException {
        Path binary = installed.binary();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<String> command = new ArrayList<>();
            command.add(binary.toString());
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory((workingDir != null ? workingDir : installed.folder()).toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Map<String, String> environment = builder.environment();
            environment.keySet().removeIf(k -> k.startsWith("EVENTDBX_")); // never the server's own settings
            environment.putAll(env);
            environment.put("EVENTDBX_PLUGIN_ADDR", "127.0.0.1:" + listener.getLocalPort());
            environment.put("EVENTDBX_PLUGIN_TOKEN", token);
            environment.put("EVENTDBX_PLUGIN_NAME", name);
            Process process = builder.start();
            pump(process.getInputStream(), false);
            pump(process.getErrorStream(), true);
            Socket socket = null;
            try {
                listener.setSoTimeout(250);
                long deadline = System.nanoTime() + HANDSHAKE.toNanos();
                while (socket == null) {
                    try {
                        socket = listener.accept();
                    } catch (SocketTimeoutException e) {
                        if (!process.isAlive()) {
                            throw new IOException(
                                    "it exited with code " + process.exitValue() + " before it connected");
                        }
                        if (System.nanoTime() > deadline || closed) {
                            throw new IOException("it did not connect within " + HANDSHAKE.toSeconds() + " s");
                        }
                    }
                }
                socket.setTcpNoDelay(true);
                socket.setSoTimeout((int) HANDSHAKE.toMillis());
                DataInputStream in = new DataInputStream(socket.getInputStream());
                Protocol.Hello.Reader hello = readMessage(in, MAX_ANSWER_WORDS).getRoot(Protocol.Hello.FACTORY);
                if (!MessageDigest.isEqual(
                        hello.token().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
                    throw new IOException("it sent a wrong token in its Hello");
                }
                return new Child(process, socket, in, socket.getOutputStream());
            } catch (IOException | RuntimeException e) {
                if (socket != null) {
                    socket.close();
                }
                process.destroyForcibly();
                throw e instanceof IOException io
                        ? io
                        : new IOException("it sent an invalid Hello: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Reads one message in the standard stream framing, refusing more than one segment or {@code maxWords} words
     * before it allocates anything: a child that writes garbage costs a restart, not the server's memory.
     */
    static MessageReader readMessage(DataInputStream in, int maxWords) throws IOException {
        byte[] header = new byte[8];
        in.readFully(header);
        ByteBuffer table = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int segmentsMinusOne = table.getInt(0);
        int words = table.getInt(4);
        if (segmentsMinusOne != 0 || words < 0 || words > maxWords) {
            throw new IOException(
                    "not a plugin message (a segment table of " + Integer.toUnsignedString(segmentsMinusOne + 1)
                            + " segments and " + Integer.toUnsignedString(words) + " words)");
        }
        byte[] body = new byte[8 + words * 8];
        System.arraycopy(header, 0, body, 0, 8);
        in.readFully(body, 8, words * 8);
        return Serialize.read(ByteBuffer.wrap(body), new ReaderOptions(maxWords, 16));
    }

    private void pump(InputStream stream, boolean error) {
        Thread pump = new Thread(
                () -> {
                    try (BufferedReader lines =
                            new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                            String printable = line.length() > 2000 ? line.substring(0, 2000) + "..." : line;
                            if (error) {
                                childLog.warn("{}", printable);
                            } else {
                                childLog.info("{}", printable);
                            }
                        }
                    } catch (IOException ignored) {
                        // the child ended
                    }
                },
                "dbx-plugin-output-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    private void end(Child current, String why) {
        LOG.warn("plugin {}: ending its process: {}", name, why);
        fail(why);
        synchronized (lock) {
            if (child == current) {
                child = null;
            }
        }
        stop(current); // the supervisor sees the exit and restarts it
    }

    private static void stop(Child current) {
        try {
            current.socket().close();
        } catch (IOException ignored) {
            // closing
        }
        Process process = current.process();
        process.destroy();
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
