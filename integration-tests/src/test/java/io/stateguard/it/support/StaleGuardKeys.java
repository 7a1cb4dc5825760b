package io.stateguard.it.support;

import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The keys of one version-guard scenario and the stale replica they are read from, shared by the guard's end-to-end
 * tests of each client: a string key the application writes itself, one it reads on the primary, one it writes but
 * the replica never receives, a hash whose field {@code v} is its version, and a hash read with {@code GET} (a
 * {@code WRONGTYPE} error). The replica holds version 6 (and no value of the missing key) while the primary moves
 * the read key and the hash to version 8.
 */
public final class StaleGuardKeys {

    public final String written;
    public final String read;
    public final String missing;
    public final String hash;
    public final String wrongType;

    private StaleGuardKeys(String scenario) {
        this.written = scenario + ":state:written";
        this.read = scenario + ":state:read";
        this.missing = scenario + ":state:missing";
        this.hash = scenario + ":hstate:1";
        this.wrongType = scenario + ":state:hash";
    }

    /** The keys of scenario {@code scenario} (their common prefix). */
    public static StaleGuardKeys of(String scenario) {
        return new StaleGuardKeys(scenario);
    }

    /**
     * Writes version 6 of every key, waits until replica 0 has it, holds that replica's replication, then writes
     * version 8 of the read key and the hash on the primary. The caller resumes {@code redis.lagProxy(0)}.
     */
    public void holdStaleReplica(PrimaryReplicaTopology redis) throws Exception {
        RedisNode primary = redis.primary();
        redis.lagProxy(0).resume();
        primary.command("HSET", hash, "state", "connecting", "v", "6");
        primary.command("HSET", wrongType, "f", "v");
        primary.command("SET", written, "{\"state\":\"connecting\",\"version\":6}");
        primary.command("SET", read, "{\"state\":\"connecting\",\"version\":6}");
        primary.command("DEL", missing);
        redis.awaitReplicated();
        redis.lagProxy(0).pause();
        primary.command("SET", read, "{\"state\":\"open\",\"version\":8}");
        primary.command("HSET", hash, "state", "open", "v", "8");
    }

    /**
     * Every event a run must report under {@code action} when it reads, from the stale replica at
     * {@code replica}, the written key (mark 7), the read key (mark 8) and the missing key (mark 5) through each of
     * {@code apis} APIs, the hash (mark 8) once by each of {@code hashOperations}, and the written and read keys by
     * one {@code MGET}. The replica has version 6 of the first two and the hash, and nothing for the third.
     */
    public List<InconsistencyEvents.Event> events(String replica, String action, int apis, String... hashOperations) {
        InconsistencyEvents.Expected expected = InconsistencyEvents.Expected.servedBy(replica)
                .repeat(apis, api -> api
                        .regression(action, "default", 0, written, "GET", 7, 6)
                        .regression(action, "default", 0, read, "GET", 8, 6)
                        .missing(action, "default", 0, missing, "GET", 5));
        for (String operation : hashOperations) {
            expected.regression(action, "h", 0, hash, operation, 8, 6);
        }
        return expected.regression(action, "default", 0, written, "MGET", 7, 6)
                .regression(action, "default", 0, read, "MGET", 8, 6)
                .list();
    }

    /** That replica 0 really was stale while the application read it (read directly, without the agent). */
    public void assertReplicaWasStale(PrimaryReplicaTopology redis) throws Exception {
        RedisNode replica = redis.replica(0);
        assertThat(replica.command("GET", written)).isEqualTo("{\"state\":\"connecting\",\"version\":6}");
        assertThat(replica.command("GET", read)).isEqualTo("{\"state\":\"connecting\",\"version\":6}");
        assertThat(replica.command("GET", missing)).isNull();
        assertThat(replica.command("HGET", hash, "v")).isEqualTo("6");
    }
}
