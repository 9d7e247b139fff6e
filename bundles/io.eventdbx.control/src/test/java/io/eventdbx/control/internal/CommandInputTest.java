package io.eventdbx.control.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CommandInputTest {

    @Test
    void readsWhatWasSentInOrderThenTheEnd() throws Exception {
        CommandInput input = new CommandInput();
        input.offer("y".getBytes(StandardCharsets.UTF_8));
        input.offer(new byte[0]);
        input.offer("es\n".getBytes(StandardCharsets.UTF_8));
        input.end();
        assertArrayEquals("yes\n".getBytes(StandardCharsets.UTF_8), input.readAllBytes());
        assertEquals(-1, input.read());
    }

    @Test
    void aReaderWaitsForInputAndIsFreedByTheEnd() throws Exception {
        CommandInput input = new CommandInput();
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> {
            try {
                return input.read();
            } catch (InterruptedIOException e) {
                throw new IllegalStateException(e);
            }
        });
        input.end();
        assertEquals(-1, first.get(10, TimeUnit.SECONDS));
    }

    @Test
    void anInterruptedReaderGetsAnInterruptedIoException() throws Exception {
        CommandInput input = new CommandInput();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                input.read();
                failure.complete(null);
            } catch (Throwable t) {
                failure.complete(t);
            }
        });
        reader.start();
        reader.interrupt();
        assertInstanceOf(InterruptedIOException.class, failure.get(10, TimeUnit.SECONDS));
    }

    @Test
    void inputNobodyReadsIsCappedNotHeld() throws Exception {
        CommandInput input = new CommandInput();
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < 64; i++) { // 4 MiB offered, 1 MiB kept
            input.offer(chunk);
        }
        input.end();
        assertEquals(CommandInput.MAX_BUFFERED, input.readAllBytes().length);
    }
}
