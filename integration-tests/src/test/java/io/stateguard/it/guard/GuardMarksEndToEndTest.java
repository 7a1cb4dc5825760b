package io.stateguard.it.guard;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RespClient;
import io.stateguard.it.probe.GuardStepsProbe;
import io.stateguard.it.support.ForkedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the version guard's high-water marks come from and where they go, end to end: the application
 * (a forked JVM with the agent, {@link GuardStepsProbe}) writes and reads through Lettuce while the
 * replica's replication stream is held, so the replica keeps version 6 of every key; whether its next
 * read of the replica is caught shows whether the mark was set, moved, kept apart or removed. Each test
 * reads the replica through the harness too, to prove it really was stale.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuardMarksEndToEndTest {

    // The replica is held longer than the default max-replica-lag (1 s) on purpose, which would send its reads to the
    // primary: these tests are about the guard facing a stale replica.
    private static final String RULES = "keys=*:state:*;version=json:/version;routing=replica-checked;"
            + "rule.h.keys=*:hstate:*;rule.h.version=hash:v;rule.h.routing=replica-checked;max-replica-lag=1h";

    /** A primary and a replica behind a lag proxy, for the whole class; their logs are kept if a test fails. */
    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start());

    static String json(int version) {
        return "{\"state\":\"s" + version + "\",\"version\":" + version + "}";
    }

    static String step(int db, String via, String command, String... args) {
        return db + "|" + via + "|" + command + (args.length == 0 ? "" : "|" + String.join("|", args));
    }

    private String replica() {
        return REDIS.get().replica(0).hostAndPort();
    }

    /**
     * Writes version 6 of {@code keys} (strings) and {@code hashes} (field {@code v}) in database {@code db}
     * on the primary, waits until the replica has them, and holds the replication stream.
     */
    private void staleReplica(int db, List<String> keys, List<String> hashes) {
        REDIS.get().lagProxy(0).resume();
        try (RespClient primary = client(REDIS.get().primary(), db)) {
            for (String key : keys) {
                primary.call("SET", key, json(6));
            }
            for (String hash : hashes) {
                primary.call("HSET", hash, "v", "6", "state", "s6");
            }
        }
        REDIS.get().awaitReplicated();
        REDIS.get().lagProxy(0).pause();
    }

    private static RespClient client(RedisNode node, int db) {
        RespClient client = node.newClient();
        client.call("SELECT", Integer.toString(db));
        return client;
    }

    /** What the replica holds for {@code key} in {@code db}, read directly (no Lettuce, no agent). */
    private String onReplica(int db, String key) {
        try (RespClient replica = client(REDIS.get().replica(0), db)) {
            Object type = replica.call("TYPE", key);
            if ("hash".equals(type)) {
                return "hash v=" + replica.call("HGET", key, "v");
            }
            Object value = replica.call("GET", key);
            return value == null ? "nil" : value.toString().replaceAll(".*\"version\":(\\d+).*", "$1");
        }
    }

    private ForkedJvm.Result run(String agentArgs, List<String> steps) throws Exception {
        List<String> args = new ArrayList<>();
        args.add(REDIS.get().primary().hostAndPort() + "," + replica());
        args.addAll(steps);
        ForkedJvm jvm = ForkedJvm.create();
        if (agentArgs != null) {
            jvm.withAgent(agentArgs);
        }
        ForkedJvm.Result result = jvm.run(GuardStepsProbe.class.getName(), args.toArray(new String[0]))
                .assertSuccess();
        assertThat(result.stderr()).doesNotContain("internal error").doesNotContain("[stateguard] ERROR");
        return result;
    }

    /** Step results by number, with the steps in the message. */
    private static Map<Integer, String> results(ForkedJvm.Result result, int steps) {
        Map<Integer, String> values = new LinkedHashMap<>();
        result.values("probe.").forEach((step, value) -> values.put(Integer.parseInt(step), value));
        assertThat(values).as(result.describe("printed a result for every step")).hasSize(steps);
        return values;
    }

    /**
     * Every write command the guard maps, issued by the application through Lettuce, sets or clears the
     * mark as the README says: {@code SET}, {@code SETEX}, {@code PSETEX}, {@code GETSET}, {@code MSET} set
     * it for string values, {@code HSET}/{@code HMSET} for hashes when they write the version field (not
     * otherwise), {@code GETEX} is a checked read whose reply sets it, and {@code DEL} (several keys at
     * once), {@code UNLINK} and {@code GETDEL} leave a deleted mark. Policy {@code report}: the application
     * gets the replica's version 6 every time, and exactly the reads whose key has a mark are reported,
     * the deleted keys as {@code deleted_value} (the replica has not applied the deletes yet).
     */
    @Test
    void writeCommandsThroughLettuceSetOrClearTheMark() throws Exception {
        String p = "marks";
        List<String> strings = List.of(p + ":state:set", p + ":state:setex", p + ":state:psetex", p + ":state:getset",
                p + ":state:mset1", p + ":state:mset2", p + ":state:getex", p + ":state:del1", p + ":state:del2",
                p + ":state:unlink", p + ":state:getdel");
        List<String> hashes = List.of(p + ":hstate:hset", p + ":hstate:hmset", p + ":hstate:nofield");
        staleReplica(0, strings, hashes);
        try {
            // The primary moves on without the application: GETEX will read version 8 there.
            REDIS.get().primary().command("SET", p + ":state:getex", json(8));
            List<String> steps = List.of(
                    step(0, "replica", "set", p + ":state:set", json(7)),
                    step(0, "replica", "setex", p + ":state:setex", json(7)),
                    step(0, "replica", "psetex", p + ":state:psetex", json(7)),
                    step(0, "replica", "getset", p + ":state:getset", json(7)),
                    step(0, "replica", "mset", p + ":state:mset1", json(7), p + ":state:mset2", json(9),
                            p + ":cache:mset3", "x"),
                    step(0, "replica", "hset", p + ":hstate:hset", "state", "s7", "v", "7"),
                    step(0, "replica", "hmset", p + ":hstate:hmset", "v", "7", "state", "s7"),
                    step(0, "replica", "hset", p + ":hstate:nofield", "state", "s7"),
                    step(0, "replica", "getex", p + ":state:getex"),
                    step(0, "replica", "set", p + ":state:del1", json(7)),
                    step(0, "replica", "set", p + ":state:del2", json(7)),
                    step(0, "replica", "del", p + ":state:del1", p + ":state:del2"),
                    step(0, "replica", "set", p + ":state:unlink", json(7)),
                    step(0, "replica", "unlink", p + ":state:unlink"),
                    step(0, "replica", "set", p + ":state:getdel", json(7)),
                    step(0, "replica", "getdel", p + ":state:getdel"),
                    // 17..: the reads of the replica
                    step(0, "replica", "get", p + ":state:set"),
                    step(0, "replica", "get", p + ":state:setex"),
                    step(0, "replica", "get", p + ":state:psetex"),
                    step(0, "replica", "get", p + ":state:getset"),
                    step(0, "replica", "get", p + ":state:mset1"),
                    step(0, "replica", "get", p + ":state:mset2"),
                    step(0, "replica", "hget", p + ":hstate:hset", "v"),
                    step(0, "replica", "hget", p + ":hstate:hmset", "v"),
                    step(0, "replica", "hget", p + ":hstate:nofield", "v"),
                    step(0, "replica", "get", p + ":state:getex"),
                    step(0, "replica", "get", p + ":state:del1"),
                    step(0, "replica", "get", p + ":state:del2"),
                    step(0, "replica", "get", p + ":state:unlink"),
                    step(0, "replica", "get", p + ":state:getdel"));
            ForkedJvm.Result result = run(RULES + ";on-regression=report", steps);
            Map<Integer, String> values = results(result, steps.size());
            assertThat(values.get(4)).as("GETSET returns the primary's old version").isEqualTo("6");
            assertThat(values.get(9)).as("GETEX reads the primary").isEqualTo("8");
            assertThat(values.get(12)).as("DEL of two keys").isEqualTo("2");
            assertThat(values.get(16)).as("GETDEL returns what the application wrote").isEqualTo("7");
            for (int read = 17; read <= steps.size(); read++) {
                assertThat(values.get(read)).as("read %d: report hands over the replica's version", read)
                        .isEqualTo("6");
            }
            InconsistencyEvents.assertExactly(result.stderr(), InconsistencyEvents.Expected.servedBy(replica())
                    .regression("reported", "default", 0, p + ":state:set", "GET", 7, 6)
                    .regression("reported", "default", 0, p + ":state:setex", "GET", 7, 6)
                    .regression("reported", "default", 0, p + ":state:psetex", "GET", 7, 6)
                    .regression("reported", "default", 0, p + ":state:getset", "GET", 7, 6)
                    .regression("reported", "default", 0, p + ":state:mset1", "GET", 7, 6)
                    .regression("reported", "default", 0, p + ":state:mset2", "GET", 9, 6)
                    .regression("reported", "h", 0, p + ":hstate:hset", "HGET", 7, 6)
                    .regression("reported", "h", 0, p + ":hstate:hmset", "HGET", 7, 6)
                    .regression("reported", "default", 0, p + ":state:getex", "GET", 8, 6)
                    .deletedValue("reported", "default", 0, p + ":state:del1", "GET", 6)
                    .deletedValue("reported", "default", 0, p + ":state:del2", "GET", 6)
                    .deletedValue("reported", "default", 0, p + ":state:unlink", "GET", 6)
                    .deletedValue("reported", "default", 0, p + ":state:getdel", "GET", 6)
                    .list());
            // The replica really was stale for every key, the deleted ones included.
            for (String key : strings) {
                assertThat(onReplica(0, key)).as("the replica's %s", key).isEqualTo("6");
            }
            for (String hash : hashes) {
                assertThat(onReplica(0, hash)).as("the replica's %s", hash).isEqualTo("hash v=6");
            }
        } finally {
            REDIS.get().lagProxy(0).resume();
        }
    }

    /**
     * Conditional writes that Redis did not apply set no mark: the application reads version 5 of each key
     * (its mark), then {@code SET … NX}, {@code SETNX}, {@code MSETNX} (one of its keys exists: nothing is
     * written) and {@code HSETNX} of the version field try to write version 6 and are answered nil, false,
     * false and false; every following read of the primary's (and the in-sync replica's) version 5 passes,
     * under {@code on-regression=fail}, with reads routed to the primary and with reads checked on the
     * replica: no exception and no event. (Before, the value written set the mark whatever the reply.)
     */
    @Test
    void conditionalWritesThatWereNotAppliedLeaveTheMark() throws Exception {
        for (String routing : new String[] {"primary", "replica-checked"}) {
            String p = "nx-" + routing;
            String set = p + ":state:set";
            String setnx = p + ":state:setnx";
            String present = p + ":state:msetnx1";
            String absent = p + ":state:msetnx2";
            String hash = p + ":hstate:hsetnx";
            REDIS.get().lagProxy(0).resume();
            try (RespClient primary = client(REDIS.get().primary(), 0)) {
                for (String key : List.of(set, setnx, present)) {
                    primary.call("SET", key, json(5));
                }
                primary.call("HSET", hash, "v", "5", "state", "s5");
            }
            REDIS.get().awaitReplicated(); // the replica is in sync: version 5 everywhere
            List<String> steps = List.of(
                    step(0, "replica", "get", set),                   // 1: the mark is 5
                    step(0, "replica", "set-nx", set, json(6)),       // 2: not applied
                    step(0, "replica", "get", set),                   // 3
                    step(0, "replica", "get", set),                   // 4
                    step(0, "replica", "get", setnx),                 // 5
                    step(0, "replica", "setnx", setnx, json(6)),      // 6: not applied
                    step(0, "replica", "get", setnx),                 // 7
                    step(0, "replica", "get", present),               // 8
                    step(0, "replica", "msetnx", present, json(6), absent, json(6)), // 9: neither written
                    step(0, "replica", "get", present),               // 10
                    step(0, "replica", "get", absent),                // 11
                    step(0, "replica", "hget", hash, "v"),            // 12
                    step(0, "replica", "hsetnx", hash, "v", "6"),     // 13: not applied
                    step(0, "replica", "hget", hash, "v"));           // 14
            ForkedJvm.Result result = run("keys=*:state:*;version=json:/version;routing=" + routing
                    + ";on-regression=fail;rule.h.keys=*:hstate:*;rule.h.version=hash:v", steps);
            Map<Integer, String> values = results(result, steps.size());
            assertThat(values.get(2)).as(routing + ": SET NX answered nil").isEqualTo("null");
            assertThat(values.get(6)).as(routing + ": SETNX").isEqualTo("false");
            assertThat(values.get(9)).as(routing + ": MSETNX").isEqualTo("false");
            assertThat(values.get(13)).as(routing + ": HSETNX").isEqualTo("false");
            for (int read : new int[] {1, 3, 4, 5, 7, 8, 10, 12, 14}) {
                assertThat(values.get(read)).as("%s: read %d gets version 5, no exception", routing, read)
                        .isEqualTo("5");
            }
            assertThat(values.get(11)).as(routing + ": MSETNX wrote nothing").isEqualTo("nil");
            InconsistencyEvents.assertExactly(result.stderr(), List.of());
            // Redis really did not apply them: the primary still has version 5 (and nothing for the absent key).
            try (RespClient primary = client(REDIS.get().primary(), 0)) {
                for (String key : List.of(set, setnx, present)) {
                    assertThat(primary.call("GET", key)).as("the primary's %s", key).isEqualTo(json(5));
                }
                assertThat(primary.call("GET", absent)).isNull();
                assertThat(primary.call("HGET", hash, "v")).isEqualTo("5");
            }
        }
    }

    /**
     * Conditional writes that Redis applied set their mark, as unconditional ones do: {@code SET … XX} of
     * an existing key, {@code SET … GET}, {@code SET … NX}, {@code SETNX}, {@code MSETNX} and
     * {@code HSETNX} of absent keys write version 7 (8 for one key of the {@code MSETNX}) while the replica
     * is held at version 6 (nothing for the absent keys); each replica read is then reported, behind or
     * missing. A {@code SET … XX} of an absent key is not applied and sets no mark.
     */
    @Test
    void conditionalWritesThatWereAppliedSetTheMark() throws Exception {
        String p = "applied";
        String xx = p + ":state:xx";
        String get = p + ":state:get";
        String nx = p + ":state:nx";
        String setnx = p + ":state:setnx";
        String m1 = p + ":state:m1";
        String m2 = p + ":state:m2";
        String hash = p + ":hstate:new";
        String absent = p + ":state:absent";
        staleReplica(0, List.of(xx, get), List.of());
        try {
            List<String> steps = List.of(
                    step(0, "replica", "set-xx", xx, json(7)),
                    step(0, "replica", "set-get", get, json(7)),
                    step(0, "replica", "set-nx", nx, json(7)),
                    step(0, "replica", "setnx", setnx, json(7)),
                    step(0, "replica", "msetnx", m1, json(7), m2, json(8)),
                    step(0, "replica", "hsetnx", hash, "v", "7"),
                    step(0, "replica", "set-xx", absent, json(9)),
                    // 8..: the reads of the replica
                    step(0, "replica", "get", xx),
                    step(0, "replica", "get", get),
                    step(0, "replica", "get", nx),
                    step(0, "replica", "get", setnx),
                    step(0, "replica", "get", m1),
                    step(0, "replica", "get", m2),
                    step(0, "replica", "hget", hash, "v"),
                    step(0, "replica", "get", absent));
            ForkedJvm.Result result = run(RULES + ";on-regression=report", steps);
            Map<Integer, String> values = results(result, steps.size());
            assertThat(values.get(1)).isEqualTo("OK");
            assertThat(values.get(2)).as("SET GET returns the primary's previous version").isEqualTo("6");
            assertThat(values.get(3)).isEqualTo("OK");
            assertThat(values.get(4)).isEqualTo("true");
            assertThat(values.get(5)).isEqualTo("true");
            assertThat(values.get(6)).isEqualTo("true");
            assertThat(values.get(7)).as("SET XX of an absent key").isEqualTo("null");
            assertThat(values.get(8)).isEqualTo("6");
            assertThat(values.get(9)).isEqualTo("6");
            for (int read : new int[] {10, 11, 12, 13, 15}) {
                assertThat(values.get(read)).as("read %d: report hands over the replica's nil", read).isEqualTo("nil");
            }
            assertThat(values.get(14)).isEqualTo("null");
            InconsistencyEvents.assertExactly(result.stderr(), InconsistencyEvents.Expected.servedBy(replica())
                    .regression("reported", "default", 0, xx, "GET", 7, 6)
                    .regression("reported", "default", 0, get, "GET", 7, 6)
                    .missing("reported", "default", 0, nx, "GET", 7)
                    .missing("reported", "default", 0, setnx, "GET", 7)
                    .missing("reported", "default", 0, m1, "GET", 7)
                    .missing("reported", "default", 0, m2, "GET", 8)
                    .missing("reported", "h", 0, hash, "HGET", 7)
                    .list());
            assertThat(onReplica(0, xx)).isEqualTo("6");
            assertThat(onReplica(0, get)).isEqualTo("6");
            for (String key : List.of(nx, setnx, m1, m2, hash, absent)) {
                assertThat(onReplica(0, key)).as("the replica's %s", key).isEqualTo("nil");
            }
            try (RespClient primary = client(REDIS.get().primary(), 0)) {
                assertThat(primary.call("GET", xx)).isEqualTo(json(7));
                assertThat(primary.call("GET", absent)).as("SET XX wrote nothing").isNull();
            }
        } finally {
            REDIS.get().lagProxy(0).resume();
        }
    }

    /**
     * Marks are per database: the same key name in database 3 (the connection's {@code RedisURI}) and in
     * database 0 has two marks, a write or a delete in one leaves the other alone, and events name
     * their database.
     */
    @Test
    void marksArePerDatabase() throws Exception {
        String key = "dbs:state:k";
        REDIS.get().lagProxy(0).resume();
        try (RespClient primary = client(REDIS.get().primary(), 3)) {
            primary.call("SET", key, json(6));
        }
        staleReplica(0, List.of(key), List.of()); // waits for database 3's write too
        try {
            List<String> steps = List.of(
                    step(3, "replica", "set", key, json(7)),
                    step(3, "replica", "get", key),          // 2: caught, db=3, expected 7
                    step(0, "replica", "get", key),          // 3: no mark in db 0
                    step(0, "replica", "set", key, json(9)),
                    step(3, "replica", "get", key),          // 5: still expected 7, not 9
                    step(0, "replica", "get", key),          // 6: db 0, expected 9
                    step(0, "replica", "del", key),
                    step(0, "replica", "get", key),          // 8: db 0's key is deleted, the replica has 6
                    step(3, "replica", "get", key));         // 9: db 3's mark is untouched
            ForkedJvm.Result result = run(RULES + ";on-regression=report", steps);
            Map<Integer, String> values = results(result, steps.size());
            assertThat(values.get(7)).isEqualTo("1");
            for (int read : new int[] {2, 3, 5, 6, 8, 9}) {
                assertThat(values.get(read)).as("read %d gets the replica's version", read).isEqualTo("6");
            }
            InconsistencyEvents.assertExactlyInOrder(result.stderr(), InconsistencyEvents.Expected.servedBy(replica())
                    .regression("reported", "default", 3, key, "GET", 7, 6)
                    .regression("reported", "default", 3, key, "GET", 7, 6)
                    .regression("reported", "default", 0, key, "GET", 9, 6)
                    .deletedValue("reported", "default", 0, key, "GET", 6)
                    .regression("reported", "default", 3, key, "GET", 7, 6)
                    .list());
            assertThat(onReplica(0, key)).isEqualTo("6");
            assertThat(onReplica(3, key)).isEqualTo("6");
            try (RespClient primary = client(REDIS.get().primary(), 3)) {
                assertThat(primary.call("GET", key)).as("database 3 on the primary").isEqualTo(json(7));
            }
        } finally {
            REDIS.get().lagProxy(0).resume();
        }
    }

    /**
     * The primary itself is behind the mark when the guard re-reads it (another process wrote an older
     * version, or deleted the key): the application gets the primary's value, and nothing is reported,
     * since the primary is below what the application had been shown (its 7 or its nil may have been
     * written after the replica's 6 was current). Nothing failed over, so the primary's value is the
     * present, not a lost write: no {@code primary_regression}, and the mark follows the primary. From
     * then on the replica's 6 is older than what the application was shown (7, or the key deleted), and
     * the primary confirms it: each is reported as re-read.
     */
    @Test
    void primaryBehindTheMarkDuringTheReread() throws Exception {
        String older = "behind:state:older";
        String gone = "behind:state:gone";
        staleReplica(0, List.of(older, gone), List.of());
        try {
            List<String> steps = List.of(
                    step(0, "replica", "set", older, json(8)),
                    step(0, "replica", "set", gone, json(8)),
                    step(0, "raw", "SET", older, json(7)),   // another writer, unseen by the agent
                    step(0, "raw", "DEL", gone),
                    step(0, "replica", "get", older),        // 5: replica 6 < 8, primary 7 < 8: the present
                    step(0, "replica", "get", older),        // 6: the mark is 7 now: 6 < 7, primary 7
                    step(0, "replica", "get", gone),         // 7: replica 6 < 8, primary nil: the present
                    step(0, "replica", "get", gone));        // 8: deleted on the primary, the replica has 6
            ForkedJvm.Result result = run(RULES, steps);
            Map<Integer, String> values = results(result, steps.size());
            assertThat(values.get(5)).as("the primary's value").isEqualTo("7");
            assertThat(values.get(6)).isEqualTo("7");
            assertThat(values.get(7)).as("the primary has no value").isEqualTo("nil");
            assertThat(values.get(8)).as("the primary's nil is what the application was shown").isEqualTo("nil");
            InconsistencyEvents.assertExactlyInOrder(result.stderr(), InconsistencyEvents.Expected.servedBy(replica())
                    .regression("reread_primary", "default", 0, older, "GET", 7, 6)
                    .deletedValue("reread_primary", "default", 0, gone, "GET", 6)
                    .list());
            assertThat(result.stderr()).doesNotContain("primary_regression");
            assertThat(onReplica(0, older)).isEqualTo("6");
            assertThat(onReplica(0, gone)).isEqualTo("6");
        } finally {
            REDIS.get().lagProxy(0).resume();
        }
    }

    /**
     * An {@code MGET} of which only some keys went back: exactly those are reported (a version behind and
     * a missing one), not the key that is current nor the key of no rule; with {@code reread-primary} the
     * application gets the primary's value of every key, with {@code report} the replica's, with
     * {@code fail} a {@code StaleStateException} (both keys reported as failed).
     */
    @Test
    void mgetWithSomeKeysBehindReportsExactlyThose() throws Exception {
        for (String policy : new String[] {"reread-primary", "report", "fail"}) {
            String p = "mget-" + policy;
            String behind = p + ":state:behind";
            String current = p + ":state:current";
            String absent = p + ":state:absent";
            String other = p + ":cache:other";
            staleReplica(0, List.of(behind, current), List.of());
            try {
                REDIS.get().primary().command("SET", other, "new");
                List<String> steps = List.of(
                        step(0, "replica", "set", behind, json(7)),
                        step(0, "primary", "get", current),       // mark 6, as the replica has
                        step(0, "replica", "set", absent, json(3)),
                        step(0, "replica", "mget", behind, current, absent, other));
                ForkedJvm.Result result = run(RULES + ";on-regression=" + policy, steps);
                Map<Integer, String> values = results(result, steps.size());
                String action = Map.of("reread-primary", "reread_primary", "report", "reported", "fail", "failed")
                        .get(policy);
                assertThat(values.get(4)).isEqualTo(Map.of("reread-primary", "7|6|3|unversioned:new",
                        "report", "6|6|nil|nil", "fail", "EXC:io.stateguard.agent.api.StaleStateException").get(policy));
                InconsistencyEvents.assertExactly(result.stderr(), InconsistencyEvents.Expected.servedBy(replica())
                        .regression(action, "default", 0, behind, "MGET", 7, 6)
                        .missing(action, "default", 0, absent, "MGET", 3)
                        .list());
                assertThat(onReplica(0, behind)).isEqualTo("6");
                assertThat(onReplica(0, absent)).isEqualTo("nil");
                assertThat(onReplica(0, other)).isEqualTo("nil");
            } finally {
                REDIS.get().lagProxy(0).resume();
            }
        }
    }

    /**
     * Marks from replica replies alone, the application never touching the primary: it reads version 8 on
     * the replica, the replica then goes back to version 6 (written on it directly, as after a resync
     * from an older primary), and the next replica read is re-read on the primary, which the application's
     * connection had never needed until then. Replication flows normally here.
     */
    @Test
    void aReplicaGoingBackIsCaughtFromMarksOfReplicaRepliesAlone() throws Exception {
        String key = "back:state:k";
        REDIS.get().lagProxy(0).resume();
        REDIS.get().primary().command("SET", key, json(8));
        REDIS.get().awaitReplicated();
        List<String> steps = List.of(
                step(0, "replica", "get", key),              // 1: version 8, the mark
                step(0, "raw-replica", "SET", key, json(6)),
                step(0, "replica", "get", key));             // 3: version 6: re-read, primary's 8
        ForkedJvm.Result result = run(RULES, steps);
        Map<Integer, String> values = results(result, steps.size());
        assertThat(values.get(1)).isEqualTo("8");
        assertThat(values.get(3)).as("the primary's version").isEqualTo("8");
        InconsistencyEvents.assertExactly(result.stderr(), InconsistencyEvents.Expected.servedBy(replica())
                .regression("reread_primary", "default", 0, key, "GET", 8, 6)
                .list());
        assertThat(onReplica(0, key)).as("the replica went back").isEqualTo("6");
        REDIS.get().primary().command("DEL", key); // the replica follows the primary again
    }

    /**
     * An {@code MGET} naming a key that went back twice is one stale reply for that key: it is reported
     * once, not once per mention, and the application gets the primary's value for both.
     */
    @Test
    void aKeyNamedTwiceInAnMgetIsReportedOnce() throws Exception {
        String key = "twice:state:k";
        staleReplica(0, List.of(key), List.of());
        try {
            List<String> steps = List.of(
                    step(0, "replica", "set", key, json(7)),
                    step(0, "replica", "mget", key, key));
            ForkedJvm.Result result = run(RULES, steps);
            Map<Integer, String> values = results(result, steps.size());
            assertThat(values.get(2)).isEqualTo("7|7");
            InconsistencyEvents.assertExactly(result.stderr(), InconsistencyEvents.Expected.servedBy(replica())
                    .regression("reread_primary", "default", 0, key, "MGET", 7, 6)
                    .list());
            assertThat(onReplica(0, key)).isEqualTo("6");
        } finally {
            REDIS.get().lagProxy(0).resume();
        }
    }

    /**
     * A key the application deletes inside {@code MULTI}...{@code EXEC} has no mark any more, as after a
     * plain {@code DEL}: reading the key's absence on the primary is no inconsistency. (Reads and other
     * writes inside a transaction are not checked; a delete queued there removes the mark when it is
     * sent, since a later nil must not be taken for a lost write.)
     */
    @Test
    void aDeleteInsideATransactionRemovesTheMark() throws Exception {
        String plain = "tx:state:plain";
        String queued = "tx:state:queued";
        List<String> steps = List.of(
                step(0, "replica", "set", plain, json(7)),
                step(0, "replica", "set", queued, json(7)),
                step(0, "replica", "del", plain),
                step(0, "replica", "multi-del", queued),
                step(0, "primary", "get", plain),            // 5: nil, no mark
                step(0, "primary", "get", queued));          // 6: nil, no mark either
        ForkedJvm.Result result = run(RULES, steps);
        Map<Integer, String> values = results(result, steps.size());
        assertThat(values.get(3)).isEqualTo("1");
        assertThat(values.get(4)).as("EXEC's reply to the DEL").isEqualTo("1");
        assertThat(values.get(5)).isEqualTo("nil");
        assertThat(values.get(6)).isEqualTo("nil");
        InconsistencyEvents.assertExactly(result.stderr(), List.of());
    }

    /**
     * Under a {@code replica-checked} rule, the application's own {@code ReadFrom} may send a read to the
     * primary (here a connection reading from the primary; {@code REPLICA_PREFERRED} does it when no
     * replica is up). Another process wrote an older version there: the primary's 6, below the mark 7, is
     * the present (its re-read says 6 again), not a regression: nothing is reported, and the mark follows
     * it, so the next read of 6 is not even suspect.
     */
    @Test
    void aPrimaryServedOlderValueThatIsThePresentRaisesNothing() throws Exception {
        String key = "role:state:k";
        REDIS.get().lagProxy(0).resume();
        List<String> steps = List.of(
                step(0, "replica", "set", key, json(7)),
                step(0, "raw", "SET", key, json(6)),         // another process writes an older version
                step(0, "primary", "get", key),              // 3: the primary's 6, re-read: 6 again
                step(0, "primary", "get", key));             // 4: the mark is 6 now
        ForkedJvm.Result result = run(RULES, steps);
        Map<Integer, String> values = results(result, steps.size());
        assertThat(values.get(3)).isEqualTo("6");
        assertThat(values.get(4)).isEqualTo("6");
        InconsistencyEvents.assertExactly(result.stderr(), List.of());
    }

    /**
     * Issue case 1: a state key written with a time to live expires (on the primary, and so on the in-sync
     * replica, which hides expired keys). Its later reads are nil everywhere: that is the present, not an
     * inconsistency, under every routing and policy; nothing is thrown, nothing is reported, and the reset
     * is counted. Another process's delete is the same for this process.
     */
    @Test
    void anExpiredOrForeignDeletedKeyIsNeitherAnErrorNorAnInconsistency() throws Exception {
        REDIS.get().lagProxy(0).resume();
        for (String routing : new String[] {"replica-checked", "primary"}) {
            for (String policy : new String[] {"fail", "reread-primary", "report"}) {
                String p = "ttl-" + routing + "-" + policy;
                String expiring = p + ":state:expiring";
                String foreign = p + ":state:foreign";
                List<String> steps = List.of(
                        step(0, "replica", "set-px", expiring, json(7), "300"),
                        step(0, "replica", "set", foreign, json(7)),
                        step(0, "replica", "sleep", "200"),       // 3: both writes replicate
                        step(0, "raw", "DEL", foreign),          // another process
                        step(0, "replica", "sleep", "700"),
                        step(0, "replica", "get", expiring),      // 6
                        step(0, "replica", "get", expiring),      // 7
                        step(0, "replica", "get", foreign),       // 8
                        step(0, "replica", "get", foreign),       // 9
                        step(0, "replica", "set", expiring, json(8)),
                        step(0, "replica", "sleep", "200"),
                        step(0, "replica", "get", expiring));     // 12: written again
                ForkedJvm.Result result = run("keys=*:state:*;version=json:/version;routing=" + routing
                        + ";on-regression=" + policy, steps);
                Map<Integer, String> values = results(result, steps.size());
                for (int read : new int[] {6, 7, 8, 9}) {
                    assertThat(values.get(read)).as("%s / %s: read %d", routing, policy, read).isEqualTo("nil");
                }
                assertThat(values.get(12)).isEqualTo("8");
                assertThat(InconsistencyEvents.parse(result.stderr())).as("%s / %s: %s", routing, policy,
                        result.stderr()).isEmpty();
                assertThat(result.stderr()).doesNotContain("StaleStateException");
            }
        }
    }
}
