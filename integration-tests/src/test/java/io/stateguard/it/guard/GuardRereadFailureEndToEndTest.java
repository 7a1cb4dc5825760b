package io.stateguard.it.guard;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.it.probe.GuardRereadFailureProbe;
import io.stateguard.it.support.ForkedJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard's re-read on the primary going wrong, end to end with real Redis: the application
 * ({@link GuardRereadFailureProbe}, a forked JVM with the agent, policy {@code reread-primary}) wrote
 * version 7, the replica still has 6, so its replica read is re-read on the primary; then the primary
 * answers with an error, the primary connection is lost, or the application cancels its command while
 * the re-read's reply is on its way. In every case the application's command completes exactly once,
 * with the replica's value (fail open: what it would have got without the agent) or its own
 * cancellation, and the connection keeps working.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuardRereadFailureEndToEndTest {

    private static final String RULE = "keys=*:state:*;version=json:/version;routing=replica-checked"
            // The replica is held longer than the default max-replica-lag (1 s) on purpose, which would send its reads
            // to the primary: these tests are about the guard facing a stale replica. The probe acts when the re-read's
            // reply is the only traffic held at its proxy in front of the primary: the replication monitor, which
            // connects through that proxy too, polls once at the start and not again during a scenario.
            + ";max-replica-lag=1h;replication.poll-interval=10s";

    /** A primary and a replica behind a lag proxy, for the whole class; their logs are kept if a test fails. */
    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start());

    private static final String APP_USER = "app";
    private static final String APP_PASSWORD = "secret";

    /**
     * Creates the application's ACL user on the primary and the replica: every command ({@code +@all}) but
     * what {@code primaryDenial} and {@code replicaDenial} take away ({@code null}: nothing).
     */
    private void appUser(String primaryDenial, String replicaDenial) {
        REDIS.get().primary().command(aclUser(primaryDenial));
        REDIS.get().replica(0).command(aclUser(replicaDenial));
    }

    private static String[] aclUser(String denial) {
        List<String> command = new ArrayList<>(List.of("ACL", "SETUSER", APP_USER, "on", ">" + APP_PASSWORD, "~*",
                "+@all"));
        if (denial != null) {
            command.add(denial);
        }
        return command.toArray(new String[0]);
    }

    /** No test leaves its ACL user behind (deleting a user that does not exist changes nothing). */
    @AfterEach
    void removeAppUser() {
        REDIS.get().primary().command("ACL", "DELUSER", APP_USER);
        REDIS.get().replica(0).command("ACL", "DELUSER", APP_USER);
    }

    /** Runs one scenario while the replica holds version 6 of {@code key}; checks the replica is stale after. */
    private ForkedJvm.Result run(String scenario, String key, String... credentials) throws Exception {
        REDIS.get().lagProxy(0).resume();
        REDIS.get().primary().command("SET", key, "{\"state\":\"connecting\",\"version\":6}");
        REDIS.get().awaitReplicated();
        REDIS.get().lagProxy(0).pause();
        try {
            List<String> args = new ArrayList<>(List.of(scenario, REDIS.get().primary().hostAndPort(),
                    REDIS.get().replica(0).hostAndPort(), key));
            args.addAll(Arrays.asList(credentials));
            ForkedJvm.Result result = ForkedJvm.create().withAgent(RULE)
                    .run(GuardRereadFailureProbe.class.getName(), args.toArray(new String[0])).assertSuccess();
            assertThat(REDIS.get().replica(0).command("GET", key)).as("the replica was stale")
                    .isEqualTo("{\"state\":\"connecting\",\"version\":6}");
            assertThat(REDIS.get().primary().command("GET", key)).isEqualTo("{\"state\":\"open\",\"version\":7}");
            return result;
        } finally {
            REDIS.get().lagProxy(0).resume();
        }
    }

    /**
     * The failed re-read is logged once, with Redis's reason, as what it is: a refusal by Redis or the
     * connection that the agent failed open from, not an internal error of the agent.
     */
    private static void assertRereadFailureLoggedOnce(ForkedJvm.Result result, String reason) {
        assertThat(result.stderr().lines().filter(line -> line.contains("re-read on the primary failed")))
                .as(result.describe("logged the failed re-read"))
                .singleElement().asString().startsWith("[stateguard] WARN a re-read on the primary failed (")
                .contains(reason, "action=reported");
        assertThat(result.stderr()).as(result.describe("logged an internal error")).doesNotContain("internal error");
    }

    private List<InconsistencyEvents.Event> regression(String action, String key) {
        return InconsistencyEvents.Expected.servedBy(REDIS.get().replica(0).hostAndPort())
                .regression(action, "default", 0, key, "GET", 7, 6).list();
    }

    /**
     * The primary refuses the re-read ({@code NOPERM}: the application's ACL user may write but not
     * {@code GET} there, while it may on the replica): the application gets the replica's version 6,
     * the event says {@code reported}, not {@code reread_primary}.
     */
    @Test
    void anErrorReplyToTheRereadHandsOverTheReplicasValue() throws Exception {
        String key = "acl:state:k";
        appUser("-get", null);
        ForkedJvm.Result result = run("error-reply", key, APP_USER, APP_PASSWORD);
        Map<String, String> values = result.values("probe.");
        assertThat(values.get("read")).as(result.describe("fails open")).isEqualTo("6");
        assertThat(values.get("completions")).isEqualTo("1");
        assertThat(values.get("after")).as("the primary refuses GET to this user")
                .isEqualTo("EXC:io.lettuce.core.RedisCommandExecutionException");
        InconsistencyEvents.assertExactly(result.stderr(), regression("reported", key));
        assertRereadFailureLoggedOnce(result, "NOPERM");
    }

    /**
     * The connection to the primary is lost while the re-read's reply is on its way (auto-reconnect off,
     * so Lettuce fails the re-read at once): the application gets the replica's version 6.
     */
    @Test
    void aLostPrimaryConnectionDuringTheRereadHandsOverTheReplicasValue() throws Exception {
        String key = "lost:state:k";
        ForkedJvm.Result result = run("primary-lost", key);
        Map<String, String> values = result.values("probe.");
        assertThat(values.get("read")).as(result.describe("fails open")).isEqualTo("6");
        assertThat(values.get("completions")).isEqualTo("1");
        assertThat(values.get("after")).as("the primary connection is gone").startsWith("EXC:");
        InconsistencyEvents.assertExactly(result.stderr(), regression("reported", key));
        assertRereadFailureLoggedOnce(result, "Connection disconnected");
    }

    /**
     * The application cancels its command while the re-read's reply is on its way, then the reply
     * arrives: the application sees its cancellation once, and the next command on the connection gets
     * its own reply (the re-read's reply was consumed by the re-read).
     */
    @Test
    void cancellingTheCommandDuringTheRereadCompletesItOnce() throws Exception {
        String key = "cancel:state:k";
        ForkedJvm.Result result = run("cancelled", key);
        Map<String, String> values = result.values("probe.");
        assertThat(values.get("read")).as(result.describe("is cancelled"))
                .isEqualTo("EXC:java.util.concurrent.CancellationException");
        assertThat(values.get("completions")).isEqualTo("1");
        assertThat(values.get("after")).isEqualTo("7");
        InconsistencyEvents.assertExactly(result.stderr(), regression("reread_primary", key));
        // A cancelled command takes no new output (Lettuce throws IllegalStateException): that is the
        // application's doing, not an internal error of the agent to log and count.
        assertThat(result.stderr()).as(result.describe("logged an internal error")).doesNotContain("internal error");
    }

    /**
     * The command times out (1 s) while the re-read's reply is held, and the re-read, which has the
     * same command timeout, times out too: the application gets its timeout once, the event says
     * {@code reported}, and once the late reply is let through (after the agent reported, which the test
     * waits for), it is taken as the re-read's: the next command on the connection gets its own reply.
     */
    @Test
    void aCommandAndItsRereadTimingOutCompleteOnce(@TempDir Path dir) throws Exception {
        String key = "timeout:state:k";
        REDIS.get().lagProxy(0).resume();
        REDIS.get().primary().command("SET", key, "{\"state\":\"connecting\",\"version\":6}");
        REDIS.get().awaitReplicated();
        REDIS.get().lagProxy(0).pause();
        ForkedJvm.Result result;
        try (ForkedJvm.Running probe = ForkedJvm.create().withAgent(RULE).start(GuardRereadFailureProbe.class.getName(),
                "timed-out", REDIS.get().primary().hostAndPort(), REDIS.get().replica(0).hostAndPort(), key, dir.toString())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!probe.stderr().contains(" inconsistency ")) {
                assertThat(probe.isAlive()).as(probe.describe("ended before the agent reported")).isTrue();
                assertThat(System.nanoTime()).as(probe.describe("did not report")).isLessThan(deadline);
                Thread.sleep(20);
            }
            assertThat(dir.resolve("timed-out")).as("the application's command timed out first").exists();
            Files.createFile(dir.resolve("resume"));
            while (probe.isAlive()) {
                assertThat(System.nanoTime()).as(probe.describe("did not end")).isLessThan(deadline);
                Thread.sleep(20);
            }
            result = probe.stop().assertSuccess();
            assertThat(REDIS.get().replica(0).command("GET", key)).as("the replica was stale")
                    .isEqualTo("{\"state\":\"connecting\",\"version\":6}");
        } finally {
            REDIS.get().lagProxy(0).resume();
        }
        Map<String, String> values = result.values("probe.");
        assertThat(values.get("read")).as(result.describe("times out"))
                .isEqualTo("EXC:io.lettuce.core.RedisCommandTimeoutException");
        assertThat(values.get("completions")).isEqualTo("1");
        assertThat(values.get("after")).isEqualTo("7");
        InconsistencyEvents.assertExactly(result.stderr(), regression("reported", key));
        assertRereadFailureLoggedOnce(result, "Command timed out");
    }

    /**
     * The application closes its connection while the replica's stale reply is being decoded (from its
     * codec: the one deterministic point between the reply and the re-read), so the re-read finds the
     * channel writer closed ("Connection is closed"): the application gets the replica's version 6 once.
     */
    @Test
    void aClosedWriterRefusingTheRereadHandsOverTheReplicasValue() throws Exception {
        String key = "closed:state:k";
        ForkedJvm.Result result = run("writer-closed", key);
        Map<String, String> values = result.values("probe.");
        assertThat(values.get("closing")).as(result.describe("began closing from the codec")).isEqualTo("true");
        assertThat(values.get("read")).as(result.describe("fails open")).isEqualTo("6");
        assertThat(values.get("completions")).isEqualTo("1");
        assertThat(values.get("after")).as("the connection is closed").isEqualTo("EXC:io.lettuce.core.RedisException");
        InconsistencyEvents.assertExactly(result.stderr(), regression("reported", key));
        assertRereadFailureLoggedOnce(result, "Connection is closed");
    }

    /**
     * Issue case 4: the application opens a transaction on the same connection while the replica's stale
     * reply is on its way. The re-read must not join the application's transaction (it would be queued
     * until EXEC, the read would hang, and EXEC would return one reply too many): the application gets the
     * replica's value at once, the regression is reported as it is, and its EXEC holds exactly its own
     * command.
     */
    @Test
    void aRereadNeverJoinsTheApplicationsTransaction() throws Exception {
        String key = "tx:state:k";
        ForkedJvm.Result result = run("in-transaction", key);
        Map<String, String> values = result.values("probe.");
        assertThat(values.get("read")).as(result.describe("completes with the replica's value")).isEqualTo("6");
        assertThat(values.get("completions")).isEqualTo("1");
        assertThat(values.get("exec")).as("EXEC holds the application's one command").isEqualTo("1");
        InconsistencyEvents.assertExactly(result.stderr(), regression("reported", key));
        assertThat(result.stderr()).contains("had a transaction open").doesNotContain("internal error");
    }

    /**
     * The application's ACL user may not run {@code INFO} on the primary: the guard cannot read the
     * primary's replication ID, says so once (with Redis's reason), and keeps working: the stale replica
     * read is still re-read on the primary and reported, and nothing counts as an internal error.
     */
    @Test
    void aPrimaryThatRefusesInfoIsNamedOnceAndTheGuardKeepsWorking() throws Exception {
        String key = "noinfo:state:k";
        appUser("-info", "-info");
        ForkedJvm.Result result = run("error-reply", key, APP_USER, APP_PASSWORD);
        assertThat(result.values("probe.").get("read")).as(result.describe("gets the primary's value"))
                .isEqualTo("7");
        InconsistencyEvents.assertExactly(result.stderr(), regression("reread_primary", key));
        assertThat(result.stderr().lines().filter(line -> line.contains("cannot read the primary's replication ID")))
                .as(result.describe("named the refusal once")).singleElement().asString()
                .contains("NOPERM", "never reported as primary_regression");
        assertThat(result.stderr()).doesNotContain("internal error");
    }
}
