package io.stateguard.harness;

import java.util.List;

/**
 * A primary with replicas that replicate from it: {@link PrimaryReplicaTopology} and {@link SentinelTopology}
 * share this interface, so tests of read routing can be written once and run against both.
 */
public interface ReplicatedTopology extends RedisTopology {

    /** @return the node that currently is the primary */
    RedisNode primary();

    /** @return the running replicas of {@link #primary()}, in start order */
    List<RedisNode> replicas();

    /**
     * @param index 0-based, in the order of {@link #replicas()}
     * @return the replica at {@code index}
     */
    default RedisNode replica(int index) {
        List<RedisNode> replicas = replicas();
        if (index < 0 || index >= replicas.size()) {
            throw new IndexOutOfBoundsException("Replica " + index + " requested, " + replicas.size() + " running");
        }
        return replicas.get(index);
    }

    /**
     * Waits until every replica has processed everything the primary had written when this method was called
     * (replica offset &ge; primary {@code master_repl_offset}, link up).
     *
     * @throws HarnessTimeoutException after the topology timeout, e.g. while a {@link LagProxy} is paused
     */
    void awaitReplicated();

    /**
     * Makes one replica deterministically stale for {@code key}: after this call the replica holds the string
     * {@code value} while the primary keeps whatever it had (possibly nothing). The replica stays a replica
     * (ROLE {@code slave}) so clients keep routing to it as such. The difference lasts until the primary
     * writes that key again or the replica resynchronizes from scratch.
     *
     * <p>Waits first until the replica has caught up, so that no in-flight write to the key overwrites the
     * divergence afterwards; the replica link must therefore be flowing (not paused).
     */
    void divergeReplica(int replicaIndex, String key, String value);

    /**
     * Like {@link #divergeReplica(int, String, String)} for one field of a hash: the replica's hash {@code key}
     * gets {@code field = value}; the primary's hash is untouched.
     */
    void divergeReplicaHashField(int replicaIndex, String key, String field, String value);
}
