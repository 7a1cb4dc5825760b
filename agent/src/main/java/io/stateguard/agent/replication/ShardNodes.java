package io.stateguard.agent.replication;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One shard as the client sees it: its primary, the replicas it may read from, and (Cluster) the hash slots it
 * serves. Immutable; built by a client adapter.
 */
public final class ShardNodes {

    private final Endpoint primary;
    private final List<Endpoint> replicas;
    private final int[] slots;

    /**
     * @param primary the node the client takes for the primary
     * @param replicas the replicas the client knows for it
     * @param slots the hash slots it serves (Cluster), or {@code null} for a topology of one shard
     */
    public ShardNodes(Endpoint primary, List<Endpoint> replicas, int[] slots) {
        if (primary == null) {
            throw new IllegalArgumentException("a shard needs a primary");
        }
        this.primary = primary;
        this.replicas = Collections.unmodifiableList(new ArrayList<>(replicas));
        this.slots = slots == null ? null : slots.clone();
    }

    public Endpoint primary() {
        return primary;
    }

    public List<Endpoint> replicas() {
        return replicas;
    }

    /** The hash slots, or {@code null} when the topology has one shard. */
    int[] slots() {
        return slots;
    }

    /** The shard's identity across failovers: its lowest hash slot, or 0 for a topology of one shard. */
    int identity() {
        if (slots == null || slots.length == 0) {
            return 0;
        }
        int lowest = Integer.MAX_VALUE;
        for (int slot : slots) {
            lowest = Math.min(lowest, slot);
        }
        return lowest;
    }

    @Override
    public String toString() {
        return "primary " + primary + (replicas.isEmpty() ? "" : ", replicas " + replicas);
    }
}
