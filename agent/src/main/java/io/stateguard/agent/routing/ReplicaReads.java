package io.stateguard.agent.routing;

import io.stateguard.agent.keys.CommandKeyReader;
import io.stateguard.agent.keys.KeyHash;
import io.stateguard.agent.replication.ReplicationMonitor;
import io.stateguard.agent.replication.ShardView;
import io.stateguard.agent.replication.WriteAcks;

/**
 * Whether the replicas may serve a read of a {@code causal} or {@code replica-checked} rule's key, from what the
 * replication monitor published for the shard ({@link ShardView}).
 *
 * <ul>
 *   <li>{@code causal}: only when every replica the client may read from is known, within the rule's
 *       {@code max-replica-lag}, and has applied this process's last acknowledged write of the key (a read of
 *       several keys: of any causal key). Anything unknown means the primary.</li>
 *   <li>{@code replica-checked}: replicas lagging more than {@code max-replica-lag} are skipped; when the lag is
 *       unknown (including a replica behind every sample the monitor has kept, for less than the bound so far) the
 *       application's routing is kept, as before the monitor existed (its replies are checked).</li>
 * </ul>
 */
final class ReplicaReads {

    private ReplicaReads() {
    }

    /** Registers {@code topology} with the replication monitor (a no-op once it is known). */
    static void watch(Object topology) {
        ReplicationMonitor monitor = ReplicationMonitor.current();
        if (monitor != null && topology != null) {
            monitor.view(topology, -1);
        }
    }

    static boolean replicasMayServe(RoutingPolicy policy, int rule, Object topology, int slot,
            CommandKeyReader reader, Object command) throws Exception {
        boolean causal = policy.isCausal(rule);
        ReplicationMonitor monitor = ReplicationMonitor.current();
        ShardView view = monitor == null ? null : monitor.view(topology, slot);
        if (!causal) {
            // Unknown lag (no view, a replica not answering, one behind every sample for less than the bound so far)
            // keeps the application's routing: the guard checks the replies.
            return view == null || !view.complete() || view.worstKnownLagNanos() <= policy.maxLagNanos(rule);
        }
        if (view == null) {
            return false;
        }
        WriteAcks acks = monitor.acks();
        long hash = command == null ? KeyHash.MANY : reader.keyHash(command);
        long ackNanos = hash == KeyHash.NONE ? WriteAcks.NEVER
                : hash == KeyHash.MANY ? acks.newestAckNanos() : acks.ackNanos(hash);
        return view.replicasServe(ackNanos, policy.maxLagNanos(rule), monitor.nanoTime());
    }
}
