package io.stateguard.harness;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Replication waiting and replica divergence shared by the primary/replica and Sentinel topologies. */
abstract class AbstractReplicatedTopology extends AbstractTopology implements ReplicatedTopology {

    AbstractReplicatedTopology(Duration timeout) {
        super(timeout);
    }

    /** @return the port {@code replica} must replicate {@code primary} from: the primary's, or a proxy's */
    abstract int masterPortOf(RedisNode replica, RedisNode primary);

    @Override
    public void awaitReplicated() {
        awaitReplicated(primary(), replicas());
    }

    /** Waits until {@code replicas} have processed everything {@code primary} had written at call time. */
    final void awaitReplicated(RedisNode primary, List<RedisNode> replicas) {
        List<Replication.Link> links = replicas.stream()
                .map(replica -> new Replication.Link(replica, masterPortOf(replica, primary)))
                .collect(Collectors.toList());
        Replication.awaitInSync(this, primary, links);
    }

    @Override
    public void divergeReplica(int replicaIndex, String key, String value) {
        diverge(replicaIndex, "SET", key, value);
    }

    @Override
    public void divergeReplicaHashField(int replicaIndex, String key, String field, String value) {
        diverge(replicaIndex, "HSET", key, field, value);
    }

    private void diverge(int replicaIndex, String... write) {
        RedisNode replica = replica(replicaIndex);
        // Drain the stream first: an in-flight write to the key arriving later would undo the divergence.
        awaitReplicated(primary(), List.of(replica));
        Replication.writeOnReplica(replica, write);
    }
}
