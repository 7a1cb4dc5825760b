package io.stateguard.it.attach;

import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.StateLoopProbe;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.NewerJdk;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code java -jar stateguard-agent.jar attach <pid>} against a running Lettuce application whose
 * connections are already open and reading a state key from a stale replica: after the attach, the
 * same connections read the state key from the primary (no restart, no reconnect), other keys still
 * from the replica, and a second attach is refused.
 */
class AttachEndToEndTest {

    private static final String REPLICA_ROUND = "connecting|connecting|connecting|connecting|replica-cache";

    private static final String PRIMARY_ROUND = "open|open|open|open|replica-cache";

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = StaleReplicaFixture.staleMasterReplica();

    /**
     * @param jdk {@code default}: the forked JVMs' default JDK ({@link ForkedJvm#defaultJavaHome()});
     *     {@code newest}: the newest JDK on the machine, for the application and the command alike
     *     (skipped when there is none newer than the one running the tests; failed for that on CI).
     */
    @ParameterizedTest(name = "{0} JDK")
    @ValueSource(strings = {"default", "newest"})
    void attachingSwitchesOpenConnectionsToThePrimaryForStateKeys(String jdk) throws Exception {
        Path javaHome = ForkedJvm.defaultJavaHome();
        if (jdk.equals("newest")) {
            javaHome = NewerJdk.require();
        }
        ForkedJvm target = ForkedJvm.create().javaHome(javaHome);
        if (target.javaFeatureVersion() >= 21) {
            target.jvmArg("-XX:+EnableDynamicAgentLoading"); // JDK 21+: no warning for the dynamic load
        }
        try (ForkedJvm.Running app = target.start(StateLoopProbe.class.getName(), nodes(),
                StaleReplicaFixture.STATE_KEY, StaleReplicaFixture.OTHER_KEY, "50", "50")) {
            // Before: a flapping application, every read from the stale replica.
            app.awaitLine(line -> line.startsWith("round.3="), Duration.ofSeconds(30));
            assertThat(rounds(app)).as(app.describe("reads the stale replica before the attach"))
                    .allMatch(round -> round.equals(REPLICA_ROUND));
            List<String> warningsBefore = jvmWarnings(app.stderr());

            ForkedJvm.Result attach = ForkedJvm.create().javaHome(javaHome).runJar(ForkedJvm.agentJar(), "attach",
                    String.valueOf(app.pid()), StaleReplicaFixture.AGENT_ARGS);
            assertThat(attach.exitCode()).as(attach.describe("attach must succeed")).isZero();
            assertThat(attach.stdout()).as(attach.describe("reports the result"))
                    .contains("attached to JVM " + app.pid() + " (" + StateLoopProbe.class.getName())
                    .contains(": active (attached); rules: default{keys=sg{t}:state:*")
                    .contains("io.lettuce.core.masterreplica.MasterReplicaChannelWriter")
                    .doesNotContain("note:");

            // After: the same connections read state keys from the primary.
            int before = rounds(app).size();
            app.awaitLine(line -> line.endsWith("=" + PRIMARY_ROUND), app.stdoutLines().size(), Duration.ofSeconds(20));
            int switched = indexOf(rounds(app), PRIMARY_ROUND);
            app.awaitLine(line -> line.startsWith("round." + (switched + 4) + "="), Duration.ofSeconds(20));
            List<String> rounds = rounds(app);
            assertThat(rounds.subList(switched, rounds.size()))
                    .as(app.describe("every round after the switch reads state keys from the primary"))
                    .allMatch(round -> round.equals(PRIMARY_ROUND));
            // At most the round in flight during the retransformation mixes old and new code.
            assertThat(switched - before).as(app.describe("switches within a round of the attach"))
                    .isLessThanOrEqualTo(1);
            assertThat(app.stdoutLines()).as("one connection, never reopened").containsOnlyOnce("connected");
            assertThat(app.stderr())
                    .contains("[stateguard] INFO Lettuce from lettuce-core-")
                    .contains("[stateguard] INFO instrumented io.lettuce.core.masterreplica.MasterReplicaChannelWriter"
                            + " (retransformed)")
                    .contains("[stateguard] INFO instrumented io.lettuce.core.masterreplica.MasterReplicaConnectionProvider"
                            + " (retransformed)")
                    .contains("(attached)")
                    .doesNotContain("[stateguard] WARN");
            // No JVM warning from the attach: JDK 21+ on dynamically loaded agents, Java 24+ on Unsafe, ...
            assertThat(jvmWarnings(app.stderr())).as(app.describe("the attach adds no JVM warning"))
                    .isEqualTo(warningsBefore);
            // No version rule: routing only, so the agent must log no inconsistency event at all.
            assertThat(InconsistencyEvents.parse(app.stderr())).as(app.describe("no inconsistency event")).isEmpty();

            // A second attach is refused before anything is loaded.
            ForkedJvm.Result again = ForkedJvm.create().javaHome(javaHome).runJar(ForkedJvm.agentJar(), "attach",
                    String.valueOf(app.pid()), "keys=other:*");
            assertThat(again.exitCode()).as(again.describe("a second attach is refused")).isEqualTo(3);
            assertThat(again.stderr()).contains("is already active in JVM " + app.pid())
                    .contains("it is not loaded twice");
            assertThat(app.stderr()).doesNotContain("already installed");
        }
    }

    private static List<String> rounds(ForkedJvm.Running app) throws Exception {
        return app.stdoutLines().stream().filter(line -> line.startsWith("round."))
                .map(line -> line.substring(line.indexOf('=') + 1)).toList();
    }

    private static List<String> jvmWarnings(String stderr) {
        return stderr.lines().filter(line -> line.startsWith("WARNING:")).toList();
    }

    private static int indexOf(List<String> rounds, String value) {
        return rounds.indexOf(value);
    }

    private String nodes() {
        StringBuilder joined = new StringBuilder();
        for (RedisNode node : REDIS.get().nodes()) {
            joined.append(joined.length() == 0 ? "" : ",").append(node.hostAndPort());
        }
        return joined.toString();
    }
}
