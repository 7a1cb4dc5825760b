package io.stateguard.agent.routing;

import io.stateguard.agent.internal.WeakIdentityMap;
import io.stateguard.agent.replication.ReplicationMonitor;
import io.stateguard.agent.replication.WriteAcks;

/**
 * Writes of causally routed keys between their dispatch and their reply: a causal read must not go to a replica
 * that has not applied this process's acknowledged writes of its key, so the adapter registers each such write
 * when it is dispatched ({@link PrimaryRouting#onWriteIntent}) and reports its reply ({@link #completed}), before
 * the application sees it. The acknowledgement time goes to the monitor's {@link WriteAcks}.
 */
public final class CausalWrites {

    private static final WeakIdentityMap<long[]> PENDING = new WeakIdentityMap<>();

    /** The hashes of a write whose keys could not be told apart: it counts for every key. */
    public static final long[] EVERY_KEY = new long[0];

    private CausalWrites() {
    }

    static void register(Object command, long[] keyHashes) {
        PENDING.put(command, keyHashes == null ? EVERY_KEY : keyHashes);
    }

    /** Whether no write is pending: the completion path can stop at once. */
    public static boolean nothingPending() {
        return PENDING.isEmpty();
    }

    /** Removes and returns the key hashes of a pending write, or {@code null} when {@code command} is none. */
    public static long[] take(Object command) {
        return PENDING.remove(command);
    }

    /** A write's reply arrived now (the application has not seen it yet): its keys were acknowledged. */
    public static void completed(long[] keyHashes) {
        ReplicationMonitor monitor = ReplicationMonitor.current();
        if (monitor != null && keyHashes != null) {
            acknowledged(keyHashes, monitor.nanoTime());
        }
    }

    /** Records the keys of a write ({@link #EVERY_KEY}: every key) as acknowledged at {@code nanos} (monitor time). */
    static void acknowledged(long[] keyHashes, long nanos) {
        ReplicationMonitor monitor = ReplicationMonitor.current();
        if (monitor == null) {
            return;
        }
        WriteAcks acks = monitor.acks();
        if (keyHashes == EVERY_KEY) {
            acks.acknowledgedAnyKey(nanos);
            return;
        }
        for (long hash : keyHashes) {
            acks.acknowledged(hash, nanos);
        }
    }
}
