package io.stateguard.agent.replication;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * When this process's writes of causally routed keys were acknowledged: per key hash, the arrival time
 * ({@link System#nanoTime()}) of the newest acknowledged write. A fixed table indexed by the hash, so it never
 * grows and never forgets a key it should remember: two keys sharing a slot share the newer time, which only
 * sends a read to the primary that a replica could have served. Thread-safe, allocation-free.
 */
public final class WriteAcks {

    /** {@link #ackNanos} of a key no write was acknowledged for. */
    public static final long NEVER = 0;

    private static final int SLOTS = 1 << 14;

    private final AtomicLongArray table = new AtomicLongArray(SLOTS);

    private final AtomicLong newest = new AtomicLong();

    private final AtomicLong everyKey = new AtomicLong();

    /** Records that a write of the key with hash {@code keyHash} was acknowledged at {@code nanos}. */
    public void acknowledged(long keyHash, long nanos) {
        long value = nanos == NEVER ? 1 : nanos;
        raise(table, slot(keyHash), value);
        raise(newest, value);
    }

    /**
     * Records that a write of keys that could not be told apart was acknowledged at {@code nanos}: it counts for
     * every key.
     */
    public void acknowledgedAnyKey(long nanos) {
        long value = nanos == NEVER ? 1 : nanos;
        raise(everyKey, value);
        raise(newest, value);
    }

    /** When the newest write of the key with hash {@code keyHash} was acknowledged, or {@link #NEVER}. */
    public long ackNanos(long keyHash) {
        long own = table.get(slot(keyHash));
        long any = everyKey.get();
        return any == NEVER || own != NEVER && own - any > 0 ? own : any;
    }

    /** When the newest write of any key was acknowledged, or {@link #NEVER}: for reads of several keys. */
    public long newestAckNanos() {
        return newest.get();
    }

    private static int slot(long hash) {
        long mixed = hash ^ (hash >>> 29) ^ (hash >>> 47);
        return (int) mixed & (SLOTS - 1);
    }

    private static void raise(AtomicLongArray table, int slot, long value) {
        while (true) {
            long current = table.get(slot);
            if (current != NEVER && value - current <= 0 || table.compareAndSet(slot, current, value)) {
                return;
            }
        }
    }

    private static void raise(AtomicLong cell, long value) {
        while (true) {
            long current = cell.get();
            if (current != NEVER && value - current <= 0 || cell.compareAndSet(current, value)) {
                return;
            }
        }
    }
}
