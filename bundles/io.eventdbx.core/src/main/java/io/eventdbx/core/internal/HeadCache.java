package io.eventdbx.core.internal;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Committed heads of recently written aggregates, so that current-state reads and the next append of a hot
 * aggregate need no storage read. Only the committer adds entries, after the sync that made them durable, so the cache is
 * never older than the store. Bounded: past its capacity, arbitrary entries are dropped, which is always safe
 * because the store holds every committed head.
 */
final class HeadCache {

    private final ConcurrentHashMap<String, Head> heads = new ConcurrentHashMap<>();
    private final int capacity;

    HeadCache(int capacity) {
        this.capacity = capacity;
    }

    Head get(String key) {
        return heads.get(key);
    }

    void put(String key, Head head) {
        heads.put(key, head);
        if (heads.size() > capacity) {
            Iterator<String> keys = heads.keySet().iterator();
            for (int excess = heads.size() - capacity; excess > 0 && keys.hasNext(); excess--) {
                String victim = keys.next();
                if (!victim.equals(key)) {
                    keys.remove();
                }
            }
        }
    }

    void remove(String key) {
        heads.remove(key);
    }
}
