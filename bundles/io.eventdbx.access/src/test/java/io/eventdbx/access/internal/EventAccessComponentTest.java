package io.eventdbx.access.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.access.api.Administration;
import io.eventdbx.access.api.Refusal;
import io.eventdbx.access.api.Refusal.Code;
import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.core.internal.EventStoreEngine;
import io.eventdbx.crypto.internal.CryptoComponent;
import io.eventdbx.store.api.InMemoryStorageEngine;
import io.eventdbx.token.api.Principal;
import io.eventdbx.token.api.TokenRequest;
import io.eventdbx.token.api.TokenService;
import io.eventdbx.token.internal.TestTokens;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access service on the real engine (in memory) and real tokens: the auth matrix, filters, pages, refusals. */
class EventAccessComponentTest {

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_800_000_000L);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(now.get());
        }
    };

    private final InMemoryStorageEngine storage = new InMemoryStorageEngine();
    private EventStoreEngine store;
    private TokenService tokens;
    private EventAccessComponent access;
    private final Principal admin = Principal.administrator("root");

    @BeforeEach
    void open() throws Exception {
        store = new EventStoreEngine(storage, 1000, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES);
        tokens = TestTokens.open(storage, new CryptoComponent(storage, dir), dir.resolve("keys"), clock);
        access = new EventAccessComponent(store, tokens, Map.of("list_page_size", 3, "page_limit", 5));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private String issue(Long expiration, Long limit, List<String> actions, List<String> resources) {
        return tokens.issue(new TokenRequest("clinic", "ann", expiration, limit, false, actions, resources), admin)
                .token();
    }

    private static AppendRequest event(String id, String payload) {
        return new AppendRequest("patient", id, "seen", payload, null, null, null, new IssuedBy("forged", "forged"));
    }

    private static AppendRequest withEventId(String id, String eventId) {
        return new AppendRequest("patient", id, "seen", "{}", null, null, eventId, null);
    }

    private EventRecord append(Principal caller, AppendRequest request) {
        try {
            return access.append(caller, request).toCompletableFuture().join();
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    private static Refusal refused(Code code, Runnable call) {
        Refusal refusal = assertThrows(Refusal.class, call::run);
        assertEquals(code, refusal.code(), refusal.getMessage());
        assertFalse(refusal.getMessage().isBlank());
        return refusal;
    }

    /** Every operation, on aggregate patient/{id}, with the action it needs. */
    private Map<String, BiConsumer<Principal, String>> operations() {
        Map<String, BiConsumer<Principal, String>> ops = new java.util.LinkedHashMap<>();
        ops.put("append", (p, id) -> append(p, event(id, "{\"n\":1}")));
        ops.put("stage", (p, id) -> access.stage(p, event(id, "{}")));
        ops.put("create", (p, id) -> access.create(p, "patient", id + "-new-" + unique.incrementAndGet()));
        ops.put("get", (p, id) -> access.get(p, "patient", id));
        ops.put("getAt", (p, id) -> access.getAt(p, "patient", id, 1));
        ops.put("events", (p, id) -> access.events(p, "patient", id, 0, null));
        ops.put("verify", (p, id) -> access.verify(p, "patient", id));
        ops.put("proof", (p, id) -> access.proveInclusion(p, "patient", id, 1, null));
        ops.put("consistency", (p, id) -> access.proveConsistency(p, "patient", id, 1, 1));
        ops.put("snapshot", (p, id) -> access.snapshot(p, "patient", id, "c"));
        ops.put("archive", (p, id) -> {
            access.archive(p, "patient", id, true, null);
            access.archive(p, "patient", id, false, null);
        });
        ops.put("remove", (p, id) -> {
            access.create(p, "patient", id + "-empty");
            access.remove(p, "patient", id + "-empty");
        });
        ops.put("list", (p, id) -> access.list(p, null, 0, null));
        ops.put("feed", (p, id) -> access.feed(p, 1, null, null));
        ops.put("staged", (p, id) -> access.staged(p));
        return ops;
    }

    private final java.util.concurrent.atomic.AtomicInteger unique = new java.util.concurrent.atomic.AtomicInteger();

    private static final List<String> READS =
            List.of("get", "getAt", "events", "verify", "proof", "consistency", "list", "feed", "staged");

    @Test
    void theAuthorizationMatrix() {
        append(admin, event("p-1", "{}"));
        append(admin, event("p-2", "{}"));
        Principal writer = tokens.authenticate(issue(
                null,
                null,
                List.of("aggregate.read", "aggregate.append", "aggregate.archive", "aggregate.snapshot"),
                List.of("*")));
        Principal auditor =
                tokens.authenticate(issue(null, null, List.of("aggregate.read"), List.of("aggregate:patient:p-1")));
        Principal outsider = tokens.authenticate(issue(null, null, List.of("schema.read"), List.of("*")));
        for (Map.Entry<String, BiConsumer<Principal, String>> op : operations().entrySet()) {
            String name = op.getKey();
            op.getValue().accept(admin, "p-1"); // allowed
            op.getValue().accept(writer, "p-1"); // allowed
            if (READS.contains(name)) {
                op.getValue().accept(auditor, "p-1");
                if (!List.of("list", "feed", "staged").contains(name)) {
                    refused(Code.FORBIDDEN, () -> op.getValue().accept(auditor, "p-2"));
                }
            } else {
                refused(Code.FORBIDDEN, () -> op.getValue().accept(auditor, "p-1"));
            }
            refused(Code.FORBIDDEN, () -> op.getValue().accept(outsider, "p-1"));
            refused(Code.UNAUTHENTICATED, () -> op.getValue().accept(null, "p-1"));
        }
        // commitStaged needs append on every staged aggregate
        refused(Code.FORBIDDEN, () -> access.commitStaged(auditor));
        assertFalse(access.commitStaged(writer).isEmpty());
    }

    @Test
    void eachAdministrativeAreaNeedsItsOwnActionAndNothingElseLetsIn() {
        Map<Administration, String> needs = Map.of(
                Administration.TOKENS, "token.manage",
                Administration.SCHEMA_READ, "schema.read",
                Administration.SCHEMA_WRITE, "schema.write",
                Administration.PLUGINS, "plugin.manage");
        assertEquals(Administration.values().length, needs.size(), "every area is in this test");
        for (Administration area : Administration.values()) {
            access.authorize(admin, area);
            // resources do not matter for administration: an empty list still lets the action in
            access.authorize(tokens.authenticate(issue(null, null, List.of(needs.get(area)), List.of())), area);
            List<String> others = needs.values().stream()
                    .filter(action -> !action.equals(needs.get(area)))
                    .collect(java.util.stream.Collectors.toList());
            others.add("aggregate.read");
            others.add("aggregate.append");
            Principal everythingElse = tokens.authenticate(issue(null, null, others, List.of("*")));
            Refusal refusal = refused(Code.FORBIDDEN, () -> access.authorize(everythingElse, area));
            assertTrue(refusal.getMessage().contains(needs.get(area)), refusal.getMessage());
            refused(Code.UNAUTHENTICATED, () -> access.authorize(null, area));
        }
    }

    @Test
    void expiredRevokedAndForgedTokensAreUnauthenticated() {
        String expiring = issue(60L, null, List.of(), List.of());
        String revoked = issue(null, null, List.of(), List.of());
        assertEquals("ann", access.authenticate(expiring).user());
        tokens.revoke(revoked);
        now.addAndGet(3600);
        refused(Code.UNAUTHENTICATED, () -> access.authenticate(expiring));
        refused(Code.UNAUTHENTICATED, () -> access.authenticate(revoked));
        refused(Code.UNAUTHENTICATED, () -> access.authenticate("not.a.token"));
        refused(Code.UNAUTHENTICATED, () -> access.authenticate(null));
    }

    @Test
    void writesAreAttributedToTheCaller() {
        Principal writer = tokens.authenticate(issue(null, null, List.of(), List.of()));
        EventRecord record = append(writer, event("p-1", "{}"));
        assertEquals(new IssuedBy("clinic", "ann"), record.issuedBy());
        assertEquals(
                new IssuedBy("clinic", "ann"),
                access.stage(writer, event("p-9", "{}")).request().issuedBy());
    }

    @Test
    void writeAllowancesAreCountedAndRetriesAreFree() {
        Principal limited = tokens.authenticate(issue(null, 2L, List.of(), List.of()));
        EventRecord first = append(limited, withEventId("p-1", "x"));
        assertEquals(first, append(limited, withEventId("p-1", "x"))); // a retry costs nothing
        append(limited, withEventId("p-1", "y"));
        Refusal spent = refused(Code.WRITE_LIMIT_REACHED, () -> append(limited, withEventId("p-1", "z")));
        assertTrue(spent.getMessage().contains("write limit"), spent.getMessage());
        assertEquals(2, append(limited, withEventId("p-1", "y")).version()); // answered although spent
        // a refused write gives its allowance back
        Principal one = tokens.authenticate(issue(null, 1L, List.of(), List.of()));
        refused(
                Code.CONFLICT,
                () -> append(one, new AppendRequest("patient", "p-1", "seen", "{}", null, 0L, null, null)));
        append(one, event("p-3", "{}"));
        refused(Code.WRITE_LIMIT_REACHED, () -> append(one, event("p-3", "{}")));
    }

    private List<EventRecord> appendAll(Principal caller, List<AppendRequest> requests) {
        try {
            return access.appendAll(caller, requests).toCompletableFuture().join();
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    @Test
    void aBatchIsAuthorizedPerEventAttributedAndPaidPerEventAllOrNone() {
        Principal limited = tokens.authenticate(issue(null, 3L, List.of(), List.of()));
        List<EventRecord> two = appendAll(limited, List.of(event("b-1", "{}"), event("b-2", "{}")));
        assertEquals(
                List.of(new IssuedBy("clinic", "ann"), new IssuedBy("clinic", "ann")),
                two.stream().map(EventRecord::issuedBy).toList());
        // two more do not fit the one write left: nothing is written and nothing is taken
        Refusal spent = refused(
                Code.WRITE_LIMIT_REACHED, () -> appendAll(limited, List.of(event("b-3", "{}"), event("b-4", "{}"))));
        assertEquals("1", spent.details().get("index"), spent.getMessage());
        refused(Code.NOT_FOUND, () -> access.get(admin, "patient", "b-3"));
        appendAll(limited, List.of(event("b-3", "{}")));
        refused(Code.WRITE_LIMIT_REACHED, () -> appendAll(limited, List.of(event("b-5", "{}"))));

        Principal scoped =
                tokens.authenticate(issue(null, null, List.of("aggregate.append"), List.of("aggregate:patient:s-*")));
        Refusal forbidden =
                refused(Code.FORBIDDEN, () -> appendAll(scoped, List.of(event("s-1", "{}"), event("x-1", "{}"))));
        assertEquals("1", forbidden.details().get("index"));
        refused(Code.NOT_FOUND, () -> access.get(admin, "patient", "s-1"));
        refused(Code.UNAUTHENTICATED, () -> appendAll(null, List.of(event("s-1", "{}"))));
        refused(Code.INVALID_ARGUMENT, () -> appendAll(scoped, List.of()));
        assertEquals(
                2,
                appendAll(scoped, List.of(event("s-1", "{}"), event("s-1", "{}")))
                        .get(1)
                        .version());
    }

    @Test
    void listingsShowOnlyWhatTheCallerMayReadAndPagesAreCapped() {
        for (String id : List.of("a", "b", "c", "d", "e", "f", "g")) {
            append(admin, event(id, "{}"));
        }
        assertEquals(3, access.list(admin, null, 0, null).items().size(), "list_page_size");
        assertEquals(5, access.list(admin, null, 0, 100).items().size(), "page_limit");
        refused(Code.INVALID_ARGUMENT, () -> access.list(admin, null, 0, 0));
        Principal auditor =
                tokens.authenticate(issue(null, null, List.of("aggregate.read"), List.of("aggregate:patient:b")));
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            var page = access.list(auditor, cursor, 0, 2);
            page.items().forEach(s -> seen.add(s.aggregateId()));
            cursor = page.nextCursor();
        } while (cursor != null);
        assertEquals(List.of("b"), seen);
        assertEquals(
                List.of("b"),
                access.feed(auditor, 1, 100, null).items().stream()
                        .map(EventRecord::aggregateId)
                        .toList());
        assertEquals(1, access.events(admin, "patient", "a", 0, null).size()); // its one event
        access.modified(Map.of("list_page_size", 2, "page_limit", 4)); // live, without a new service
        assertEquals(2, access.list(admin, null, 0, null).items().size());
        assertEquals(4, access.list(admin, null, 0, 100).items().size());
    }

    @Test
    void everyRefusalHasItsCode() {
        append(admin, event("p-1", "{\"n\":1}"));
        Map<Code, Runnable> cases = new HashMap<>();
        cases.put(Code.INVALID_ARGUMENT, () -> append(admin, event("bad/id", "{}")));
        cases.put(Code.NOT_FOUND, () -> access.get(admin, "patient", "nobody"));
        cases.put(
                Code.CONFLICT,
                () -> append(admin, new AppendRequest("patient", "p-1", "seen", "{}", null, 7L, null, null)));
        cases.put(Code.NOT_EMPTY, () -> access.remove(admin, "patient", "p-1"));
        cases.put(
                Code.PAYLOAD_TOO_LARGE,
                () -> append(
                        admin,
                        event("p-1", "{\"x\":\"" + "a".repeat(EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES) + "\"}")));
        cases.put(Code.UNAUTHENTICATED, () -> access.authenticate("forged"));
        cases.put(
                Code.FORBIDDEN,
                () -> access.get(
                        tokens.authenticate(issue(null, null, List.of("schema.read"), List.of())), "patient", "p-1"));
        cases.put(
                Code.WRITE_LIMIT_REACHED,
                () -> append(tokens.authenticate(issue(null, 0L, List.of(), List.of())), event("p-1", "{}")));
        for (Map.Entry<Code, Runnable> c : cases.entrySet()) {
            refused(c.getKey(), c.getValue());
        }
        access.archive(admin, "patient", "p-1", true, null);
        refused(Code.ARCHIVED, () -> append(admin, event("p-1", "{}")));
        Refusal conflict = refused(Code.CONFLICT, () -> access.archive(admin, "patient", "p-1", true, null));
        assertFalse(conflict.getMessage().isBlank());
        access.archive(admin, "patient", "p-1", false, null);
        Refusal version = refused(
                Code.CONFLICT,
                () -> append(admin, new AppendRequest("patient", "p-1", "seen", "{}", null, 7L, null, null)));
        assertEquals("1", version.details().get("current_version"));
        store.close();
        refused(Code.UNAVAILABLE, () -> append(admin, event("p-1", "{}")));
        assertTrue(access.unavailableReason().isPresent());
    }

    @Test
    void aSchemaViolationNamesTypeEventFieldAndRule() throws Exception {
        InMemoryStorageEngine other = new InMemoryStorageEngine();
        io.eventdbx.schema.api.SchemaValidator validator = (type, event, members) -> {
            throw new io.eventdbx.schema.api.SchemaViolation(
                    "aggregate type " + type + ", event " + event + ", field age: type integer expected",
                    Map.of("aggregate_type", type, "event_type", event, "field", "age", "rule", "type"));
        };
        EventStoreEngine strict = new EventStoreEngine(
                other, new CryptoComponent(other, dir.resolve("other")), validator, 100, 1 << 16, 0);
        try {
            EventAccessComponent door = new EventAccessComponent(strict, tokens, Map.of());
            CompletionException failed =
                    assertThrows(CompletionException.class, () -> door.append(admin, event("p-1", "{\"age\":\"x\"}"))
                            .toCompletableFuture()
                            .join());
            Refusal refusal = (Refusal) failed.getCause();
            assertEquals(Code.SCHEMA_VIOLATION, refusal.code());
            assertEquals(
                    Map.of("aggregate_type", "patient", "event_type", "seen", "field", "age", "rule", "type"),
                    refusal.details());
        } finally {
            strict.close();
        }
    }

    @Test
    void feedsAndSubscriptionsShowOnlyWhatTheCallerMayReadAndWants() throws Exception {
        EventAccessComponent door = new EventAccessComponent(store, tokens, Map.of()); // default pages: 10 and 1000
        for (int i = 0; i < 12; i++) {
            append(
                    admin,
                    new AppendRequest(
                            i % 2 == 0 ? "patient" : "order",
                            "p-" + (i % 3),
                            i % 4 == 0 ? "seen" : "paid",
                            "{}",
                            null,
                            null,
                            null,
                            null));
        }
        Principal auditor =
                tokens.authenticate(issue(null, null, List.of("aggregate.read"), List.of("aggregate:patient:p-0")));
        var page = door.feed(auditor, 1, 100, null);
        assertEquals(13, page.nextPosition());
        assertEquals(
                List.of(1L, 7L),
                page.items().stream().map(EventRecord::position).toList());
        var filtered = door.feed(admin, 1, 100, new io.eventdbx.access.api.EventFilter("order", null, "paid"));
        assertEquals(
                List.of(2L, 4L, 6L, 8L, 10L, 12L),
                filtered.items().stream().map(EventRecord::position).toList());
        assertEquals(4, door.feed(admin, 1, 4, null).nextPosition() - 1, "take counts positions looked at");

        List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        var subscription = door.subscribe(auditor, 1, null, event -> seen.add(event.position()));
        append(admin, new AppendRequest("patient", "p-0", "seen", "{}", null, null, null, null)); // position 13
        append(admin, new AppendRequest("patient", "p-1", "seen", "{}", null, null, null, null)); // not the auditor's
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (subscription.position() < 15 && System.nanoTime() < deadline) {
            Thread.sleep(5); // polling a condition with a deadline
        }
        subscription.close();
        assertEquals(List.of(1L, 7L, 13L), seen);
        refused(
                Code.FORBIDDEN,
                () -> door.subscribe(
                        tokens.authenticate(issue(null, null, List.of("schema.read"), List.of())), 1, null, e -> {}));
        refused(Code.INVALID_ARGUMENT, () -> door.subscribe(admin, 0, null, e -> {}));
    }

    @Test
    void allowancesArePaidInTheEventsOwnBatchExactlyUnderConcurrencyAndAcrossRestarts() throws Exception {
        String token = issue(null, 100L, List.of(), List.of());
        Principal limited = tokens.authenticate(token);
        java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger spent = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            String id = "c-" + t;
            Thread writer = new Thread(() -> {
                for (int i = 0; i < 30; i++) {
                    try {
                        append(limited, event(id, "{}"));
                        written.incrementAndGet();
                    } catch (Refusal r) {
                        assertEquals(Code.WRITE_LIMIT_REACHED, r.code(), r.getMessage());
                        spent.incrementAndGet();
                    }
                }
            });
            writer.start();
            threads.add(writer);
        }
        for (Thread writer : threads) {
            writer.join();
        }
        assertEquals(100, written.get(), "exactly the allowance");
        assertEquals(140, spent.get());
        assertEquals(100, store.log(1, 1000).size(), "no event beyond the allowance");
        assertEquals(0L, tokens.list().get(0).remainingWrites());
        // a restart reads what was paid from the events' batches
        TokenService restarted =
                TestTokens.open(storage, new CryptoComponent(storage, dir), dir.resolve("keys"), clock);
        assertEquals(0L, restarted.list().get(0).remainingWrites());
        EventAccessComponent again = new EventAccessComponent(store, restarted, Map.of());
        refused(Code.WRITE_LIMIT_REACHED, () -> {
            try {
                again.append(restarted.authenticate(token), event("c-9", "{}"))
                        .toCompletableFuture()
                        .join();
            } catch (CompletionException e) {
                throw (RuntimeException) e.getCause();
            }
        });
        // a refresh grants writes anew; a write refused for another reason costs nothing
        restarted.refresh(token, null, 1L);
        Principal refreshed = restarted.authenticate(token);
        refused(Code.CONFLICT, () -> {
            try {
                again.append(refreshed, new AppendRequest("patient", "c-0", "seen", "{}", null, 0L, null, null))
                        .toCompletableFuture()
                        .join();
            } catch (CompletionException e) {
                throw (RuntimeException) e.getCause();
            }
        });
        assertEquals(1L, restarted.list().get(0).remainingWrites());
        again.append(refreshed, event("c-9", "{}")).toCompletableFuture().join();
        assertEquals(0L, restarted.list().get(0).remainingWrites());
    }

    @Test
    void aSubscriptionEndsWhenItsTokenIsRevoked() throws Exception {
        String token = issue(null, null, List.of("aggregate.read"), List.of("*"));
        Principal reader = access.authenticate(token);
        java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Throwable> why =
                new java.util.concurrent.atomic.AtomicReference<>();
        List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        access.subscribe(reader, 1, null, new io.eventdbx.api.EventSink() {
            @Override
            public void deliver(EventRecord event) {
                seen.add(event.position());
            }

            @Override
            public void ended(Throwable cause) {
                why.set(cause);
                ended.countDown();
            }
        });
        append(admin, event("p-1", "{}"));
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (seen.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5); // polling a condition with a deadline
        }
        assertEquals(List.of(1L), seen);
        tokens.revoke(token);
        append(admin, event("p-1", "{}"));
        assertTrue(ended.await(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(Code.UNAUTHENTICATED, ((Refusal) why.get()).code());
        assertEquals(List.of(1L), seen, "nothing after the revocation");
    }
}
