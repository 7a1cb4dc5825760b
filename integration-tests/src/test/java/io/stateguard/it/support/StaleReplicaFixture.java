package io.stateguard.it.support;

import io.stateguard.harness.ClusterTopology;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.SentinelTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes replicas deterministically stale for three keys: every replica holds the old values, the
 * primary the new ones. The old values are written normally and replicated; the new values are
 * written on the primary by a script that switches replication off for its own writes
 * ({@code redis.set_repl(redis.REPL_NONE)}), so replicas never receive them. Replicas stay
 * ordinary, connected replicas, exactly as after replication lag, but without any timing.
 */
public final class StaleReplicaFixture {

    public static final String STATE_KEY = "sg{t}:state:inst1";
    public static final String OTHER_KEY = "sg{t}:cache:inst1";
    public static final String HASH_KEY = "sg{t}:instance:inst1";
    public static final String HASH_FIELD = "creds";

    /** Agent arguments with one rule for the state key and one for the creds hash. */
    public static final String AGENT_ARGS = "keys=sg{t}:state:*;rule.creds.keys=sg{t}:instance:*";

    private static final String UNREPLICATED = "redis.set_repl(redis.REPL_NONE) "
            + "redis.call('SET', KEYS[1], ARGV[1]) redis.call('SET', KEYS[2], ARGV[2]) "
            + "redis.call('HSET', KEYS[3], ARGV[3], ARGV[4]) return 'OK'";

    private StaleReplicaFixture() {
    }

    /**
     * Writes the old values through replication, waits for them via {@code awaitReplicated}, then the
     * new ones on {@code primary} only.
     */
    public static void apply(RedisNode primary, Runnable awaitReplicated) {
        primary.command("SET", STATE_KEY, "connecting");
        primary.command("SET", OTHER_KEY, "replica-cache");
        primary.command("HSET", HASH_KEY, HASH_FIELD, "replica-creds");
        awaitReplicated.run();
        primary.command("EVAL", UNREPLICATED, "3", STATE_KEY, OTHER_KEY, HASH_KEY, "open", "primary-cache",
                HASH_FIELD, "primary-creds");
    }

    /** A primary with one replica, made stale by {@link #apply}, for the lifetime of a test class. */
    public static RedisTopologyExtension<PrimaryReplicaTopology> staleMasterReplica() {
        return RedisTopologyExtension.of(() -> PrimaryReplicaTopology.builder().replicas(1).start())
                .then(redis -> apply(redis.primary(), redis::awaitReplicated));
    }

    /** A Sentinel group whose primary has one replica, made stale by {@link #apply}, for a test class. */
    public static RedisTopologyExtension<SentinelTopology> staleSentinel() {
        return RedisTopologyExtension.of(() -> SentinelTopology.builder().replicas(1).start())
                .then(redis -> apply(redis.primary(), redis::awaitReplicated));
    }

    /** A Cluster of 3 masters and 3 replicas, the state key's shard made stale by {@link #apply}, for a test class. */
    public static RedisTopologyExtension<ClusterTopology> staleCluster() {
        return RedisTopologyExtension.of(() -> ClusterTopology.builder().start())
                .then(redis -> apply(redis.nodeForKey(STATE_KEY), redis::awaitReplicated));
    }

    /**
     * A primary and one replica that applies the primary's stream {@code delayMillis} late (through the harness's
     * lag proxy), for a test class.
     */
    public static RedisTopologyExtension<PrimaryReplicaTopology> laggingMasterReplica(long delayMillis) {
        return RedisTopologyExtension.of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start())
                .then(redis -> redis.lagProxy(0).setDelayMillis(delayMillis));
    }

    /** Probe arguments after the mode and nodes. */
    public static String[] probeKeys() {
        return new String[] {STATE_KEY, OTHER_KEY, HASH_KEY, HASH_FIELD};
    }

    /** What the probe must print when every read is served by a (stale) replica. */
    public static Map<String, String> allFromReplica() {
        return expected("connecting", "replica-creds", "replica-cache|connecting", "replica-cache", "connecting");
    }

    /** What the probe must print when state-key reads, and batches containing one, go to the primary. */
    public static Map<String, String> stateFromPrimary() {
        return expected("open", "primary-creds", "primary-cache|open", "primary-cache", "open");
    }

    private static Map<String, String> expected(String state, String creds, String mget, String batchOther,
            String batchState) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String prefix : new String[] {"", "bytes."}) {
            for (String api : new String[] {"sync", "async", "reactive", "pipelined"}) {
                values.put(prefix + api + ".state", state);
                // a key no rule matches keeps the application's ReadFrom: always the replica
                values.put(prefix + api + ".other", "replica-cache");
                values.put(prefix + api + ".hget", creds);
            }
            values.put(prefix + "sync.mget", mget);
            values.put(prefix + "sync.exists.other", "1");
            values.put(prefix + "batch.mixed.other", batchOther);
            values.put(prefix + "batch.mixed.state", batchState);
            values.put(prefix + "batch.plain.other", "replica-cache");
        }
        return values;
    }
}
