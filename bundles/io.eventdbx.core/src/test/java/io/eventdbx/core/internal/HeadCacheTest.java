package io.eventdbx.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class HeadCacheTest {

    private static Head head(String id) {
        return Head.created("t", id, "2026-11-24T00:00:00Z");
    }

    @Test
    void keepsAtMostItsCapacityAndDropsTheOldestFirst() {
        HeadCache cache = new HeadCache(3);
        for (int i = 0; i < 5; i++) {
            cache.put("k" + i, head("a" + i));
        }
        assertEquals(3, cache.size());
        assertNull(cache.get("k0"));
        assertNull(cache.get("k1"));
        assertNotNull(cache.get("k2"));
        assertNotNull(cache.get("k4"));
    }

    @Test
    void replacingAHeadKeepsItsPlaceAndTheNewValue() {
        HeadCache cache = new HeadCache(2);
        cache.put("a", head("1"));
        cache.put("b", head("2"));
        Head newer = head("3");
        cache.put("a", newer);
        assertSame(newer, cache.get("a"));
        assertEquals(2, cache.queued());
        cache.put("c", head("4")); // "a" was inserted first: it goes
        assertNull(cache.get("a"));
        assertNotNull(cache.get("b"));
        assertNotNull(cache.get("c"));
    }

    @Test
    void theNewestEntrySurvivesWhenOnlyRemovedKeysAreAheadOfIt() {
        HeadCache cache = new HeadCache(1);
        cache.put("a", head("1"));
        cache.remove("a");
        cache.put("b", head("2"));
        assertNotNull(cache.get("b"));
        assertEquals(1, cache.size());
    }

    @Test
    void removedAndReinsertedKeysDoNotGrowTheEvictionOrder() {
        HeadCache cache = new HeadCache(10);
        for (int i = 0; i < 100_000; i++) {
            cache.put("same", head("x"));
            cache.remove("same");
        }
        cache.put("same", head("x"));
        assertEquals(1, cache.queued());
        assertNotNull(cache.get("same"));
    }

    /**
     * A full cache takes many more new keys than its capacity at constant cost per put. The timeout only guards
     * against the old quadratic eviction (a fresh iterator per put scanning the buckets earlier evictions emptied:
     * over two minutes for this loop, measured); the work itself takes well under a second.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFullCacheEvictsInConstantTime() {
        HeadCache cache = new HeadCache(20_000);
        Head head = head("x");
        for (int i = 0; i < 2_000_000; i++) {
            cache.put("many\u0000agg-" + i, head);
        }
        assertEquals(20_000, cache.size());
        assertEquals(20_000, cache.queued());
        assertNotNull(cache.get("many\u0000agg-1999999"));
        assertNull(cache.get("many\u0000agg-1979999"));
    }
}
