package io.stateguard.agent.internal;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A concurrent map from objects, compared by identity and held weakly, to values: the agent's
 * "virtual field" for a Redis client's command objects. Retransformation cannot add fields to classes, so state that
 * belongs to a command lives here, and disappears with the command if it is never completed.
 */
public final class WeakIdentityMap<V> {

    private final ConcurrentHashMap<Object, V> map = new ConcurrentHashMap<>();

    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

    public void put(Object key, V value) {
        expunge();
        map.put(new WeakKey(key, collected), value);
    }

    public V remove(Object key) {
        return map.isEmpty() ? null : map.remove(new LookupKey(key));
    }

    public V get(Object key) {
        return map.isEmpty() ? null : map.get(new LookupKey(key));
    }

    public boolean contains(Object key) {
        return !map.isEmpty() && map.containsKey(new LookupKey(key));
    }

    public boolean isEmpty() {
        return map.isEmpty();
    }

    public int size() {
        expunge();
        return map.size();
    }

    /**
     * Entries whose key object has not been collected yet (without waiting for the collector's
     * reference queue, unlike {@link #size()}): the commands that are really still pending.
     */
    public int liveSize() {
        int live = 0;
        for (Object key : map.keySet()) {
            if (key instanceof WeakKey && ((WeakKey) key).get() != null) {
                live++;
            }
        }
        return live;
    }

    private void expunge() {
        Object reference;
        while ((reference = collected.poll()) != null) {
            map.remove(reference);
        }
    }

    /** Stored key: weak, with the referent's identity hash kept for removal after collection. */
    private static final class WeakKey extends WeakReference<Object> {

        private final int hash;

        WeakKey(Object referent, ReferenceQueue<Object> queue) {
            super(referent, queue);
            this.hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (other instanceof LookupKey) {
                return ((LookupKey) other).referent == get() && get() != null;
            }
            return false;
        }
    }

    /** Short-lived key for lookups, so that lookups do not create weak references. */
    private static final class LookupKey {

        private final Object referent;

        LookupKey(Object referent) {
            this.referent = referent;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(referent);
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (other instanceof WeakKey) {
                Object stored = ((WeakKey) other).get();
                return stored != null && stored == referent;
            }
            return false;
        }
    }
}
