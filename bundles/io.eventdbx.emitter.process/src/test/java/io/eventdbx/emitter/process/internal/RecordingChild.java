package io.eventdbx.emitter.process.internal;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.capnproto.MessageBuilder;
import org.capnproto.Serialize;

/**
 * A process plugin for the tests, in Java: connects as the protocol says, appends each event's JSON as a line to the
 * file named by its first argument, and acknowledges. A second argument changes its behaviour: {@code crash} exits at
 * once, {@code garbage} sends bytes that are not a message, {@code wrong-token} sends a wrong Hello.
 */
public final class RecordingChild {

    private RecordingChild() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 1 ? args[1] : "";
        if (mode.equals("crash")) {
            System.err.println("recorder: crashing at start as asked");
            System.exit(3);
        }
        String[] addr = System.getenv("EVENTDBX_PLUGIN_ADDR").split(":");
        try (Socket socket = new Socket(addr[0], Integer.parseInt(addr[1]))) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            if (mode.equals("garbage")) {
                out.write("this is not Cap'n Proto at all, not even close".getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(60_000);
                return;
            }
            MessageBuilder hello = new MessageBuilder();
            Protocol.Hello.Builder h = hello.initRoot(Protocol.Hello.FACTORY);
            h.setToken(mode.equals("wrong-token") ? "0".repeat(64) : System.getenv("EVENTDBX_PLUGIN_TOKEN"));
            h.setName(System.getenv("EVENTDBX_PLUGIN_NAME"));
            Serialize.write(Channels.newChannel(out), hello);
            out.flush();
            System.out.println("recorder: connected as " + System.getenv("EVENTDBX_PLUGIN_NAME"));
            Path file = Path.of(args[0]);
            while (true) {
                Protocol.Batch.Reader batch =
                        ProcessEmitter.readMessage(in, 64 * 1024 * 1024).getRoot(Protocol.Batch.FACTORY);
                StringBuilder lines = new StringBuilder();
                for (Protocol.Event.Reader e : batch.events()) {
                    lines.append(e.json()).append('\n');
                }
                Files.writeString(file, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                MessageBuilder ack = new MessageBuilder();
                ack.initRoot(Protocol.Ack.FACTORY).set(0, batch.events().size(), 0, null);
                Serialize.write(Channels.newChannel(out), ack);
                out.flush();
            }
        }
    }
}
