package io.eventdbx.emitter.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The contract every emitter passes (in the api's test jar): extend it in the emitter's tests with a real receiver.
 * It checks the factory's declaration, refusals of bad options, delivery of a batch in order, an answer (not an
 * exception) when the receiver is down, and that close releases the instance.
 */
public abstract class EmitterContract {

    private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    /**
     * The factory under test.
     *
     * @return the factory
     */
    protected abstract EmitterFactory factory();

    /**
     * Options of an instance that delivers to the test's live receiver.
     *
     * @return the options
     */
    protected abstract Map<String, List<String>> liveOptions();

    /**
     * Options of an instance whose receiver cannot be reached, or null if the type cannot fail that way.
     *
     * @return the options, or null
     */
    protected abstract Map<String, List<String>> unreachableOptions();

    /**
     * What the live receiver has received so far, one text per envelope, in arrival order.
     *
     * @return the texts
     * @throws Exception if the receiver cannot be read
     */
    protected abstract List<String> received() throws Exception;

    /**
     * Whether one received text is the given envelope (the JSON itself, or a line that names its aggregate id).
     *
     * @param text what the receiver got
     * @param envelope what was sent
     * @return whether they match
     */
    protected boolean matches(String text, Envelope envelope) {
        return text.contains(envelope.json()) || text.contains(envelope.aggregateId());
    }

    /**
     * An envelope as the dispatcher makes it.
     *
     * @param position its position
     * @param id its aggregate id
     * @return the envelope
     */
    protected static Envelope envelope(long position, String id) {
        String eventId = "00000000-0000-4000-8000-" + String.format("%012d", position);
        String json = "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"" + id
                + "\",\"event_type\":\"seen\",\"payload\":{\"n\":" + position + "},\"metadata\":{\"event_id\":\""
                + eventId + "\",\"created_at\":\"2026-12-02T10:00:00.000000Z\",\"issued_by\":{\"group\":\"ops\","
                + "\"user\":\"jane\"}},\"version\":" + position + ",\"hash\":\"" + "ab".repeat(32)
                + "\",\"merkle_root\":\"" + "cd".repeat(32) + "\"}";
        return new Envelope(position, "patient", id, "seen", eventId, position, json);
    }

    @Test
    void theFactoryDeclaresItsTypeAndOptions() {
        EmitterFactory factory = factory();
        assertTrue(WORD.matcher(factory.type()).matches(), "type word: " + factory.type());
        assertNotNull(factory.description());
        assertFalse(factory.description().isBlank(), "a description");
        List<String> names = new ArrayList<>();
        for (EmitterFactory.Option option : factory.options()) {
            assertTrue(WORD.matcher(option.name()).matches(), "option word: " + option.name());
            assertFalse(option.name().equals("name") || option.name().equals("disable"), "reserved: " + option.name());
            assertFalse(names.contains(option.name()), "declared twice: " + option.name());
            assertFalse(option.flag() && option.required(), "a required switch makes no sense: " + option.name());
            names.add(option.name());
        }
    }

    @Test
    void aMissingRequiredOptionIsRefusedByName() {
        for (EmitterFactory.Option option : factory().options()) {
            if (!option.required()) {
                continue;
            }
            Map<String, List<String>> without = new HashMap<>(liveOptions());
            without.remove(option.name());
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> factory().create("contract", without));
            assertTrue(e.getMessage().contains(option.name()), "names --" + option.name() + ": " + e.getMessage());
        }
    }

    @Test
    void aBatchIsDeliveredInOrder() throws Exception {
        List<Envelope> batch = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            batch.add(envelope(i, "p-" + (i % 3) + "-" + i));
        }
        try (Emitter emitter = factory().create("contract", liveOptions())) {
            emitter.check();
            emitter.open(); // as the dispatcher does before an instance's first delivery
            Delivery delivery = emitter.deliver(batch);
            assertEquals(Delivery.Outcome.DELIVERED, delivery.outcome(), String.valueOf(delivery.reason()));
            assertEquals(batch.size(), delivery.delivered());
        }
        List<String> got = awaitReceived(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            assertTrue(matches(got.get(i), batch.get(i)), "envelope " + i + " in order: " + got.get(i));
        }
    }

    @Test
    void anUnreachableReceiverIsAnAnswerNotAnException() {
        Map<String, List<String>> options = unreachableOptions();
        assumeTrue(options != null, "this type has no receiver that can be down");
        try (Emitter emitter = factory().create("contract", options)) {
            assertThrows(Exception.class, emitter::check, "enable's check sees it");
            Delivery delivery = emitter.deliver(List.of(envelope(1, "p-1")));
            assertEquals(Delivery.Outcome.UNREACHABLE, delivery.outcome(), String.valueOf(delivery.reason()));
            assertEquals(0, delivery.delivered());
            assertNotNull(delivery.reason(), "says why");
        }
    }

    @Test
    void closeIsIdempotent() {
        Emitter emitter = factory().create("contract", liveOptions());
        emitter.close();
        emitter.close();
    }

    private List<String> awaitReceived(int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<String> got = received();
            if (got.size() >= count || System.nanoTime() > deadline) {
                assertEquals(count, got.size(), "received: " + got);
                return got;
            }
            Thread.sleep(Duration.ofMillis(10).toMillis());
        }
    }
}
