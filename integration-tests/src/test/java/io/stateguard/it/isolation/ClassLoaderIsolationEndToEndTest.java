package io.stateguard.it.isolation;

import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.DeploymentsProbe;
import io.stateguard.it.support.ForkedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application that deploys itself with its own Lettuce, Netty and Reactor in a class loader of its
 * own ({@link DeploymentsProbe}), as a Spring Boot fat jar or an application server does: the forked
 * JVM's class path has none of them, the agent jar comes only through {@code -javaagent}. Against a
 * real primary whose replica is stale for the test's keys: a {@code primary} rule must send the
 * replica-reading connection's read to the primary, and a {@code replica-checked} rule with
 * {@code on-regression=fail} must fail the stale read with a {@code StaleStateException} the
 * application catches.
 */
class ClassLoaderIsolationEndToEndTest {

    /** The default rule routes {@code iso*:pinned:*} to the primary; rule {@code state} checks versions. */
    private static final String AGENT_ARGS = "keys=iso*:pinned:*;rule.state.keys=iso*:state:*;"
            + "rule.state.version=json:/version;rule.state.routing=replica-checked;rule.state.on-regression=fail";

    /** The libraries the deployments hold; the forked JVM's class path goes without them. */
    private static final String[] LIBRARIES = {"/io/lettuce/", "/io/netty/", "/io/projectreactor/",
        "/org/reactivestreams/", "/redis/clients/authentication/"};

    private static final String UNREPLICATED = "redis.set_repl(redis.REPL_NONE) "
            + "redis.call('SET', KEYS[1], ARGV[1]) redis.call('SET', KEYS[2], ARGV[2]) return 'OK'";

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).start());

    /**
     * Makes the replica stale for {@code pinned} and {@code state} (it keeps {@code replica} and
     * version 6, the primary has {@code primary} and version 8), without any timing: the new values are
     * written by a script that does not replicate its writes.
     */
    private static void staleReplicaFor(String pinned, String state) {
        RedisNode primary = REDIS.get().primary();
        primary.command("SET", pinned, "replica");
        primary.command("SET", state, "{\"state\":\"connecting\",\"version\":6}");
        REDIS.get().awaitReplicated();
        primary.command("EVAL", UNREPLICATED, "2", pinned, state, "primary", "{\"state\":\"open\",\"version\":8}");
        assertThat(REDIS.get().replica(0).command("GET", pinned)).isEqualTo("replica");
    }

    private static String nodes() {
        return REDIS.get().primary().hostAndPort() + "," + REDIS.get().replica(0).hostAndPort();
    }

    private static String libraries() {
        List<String> jars = ForkedJvm.testClassPathEntries(LIBRARIES);
        assertThat(jars).as("Lettuce, Netty and Reactor on the test class path").isNotEmpty();
        return String.join(File.pathSeparator, jars);
    }

    private static ForkedJvm deploymentJvm() {
        return ForkedJvm.create().withAgent(AGENT_ARGS).classPathWithout(LIBRARIES);
    }

    /** What one deployment must print: routing by the {@code primary} rule, the stale read caught as StaleStateException. */
    private static void assertRoutedAndGuarded(Map<String, String> values, String prefix, ForkedJvm.Result result) {
        assertThat(values.get(prefix + "pinned")).as(result.describe("read the pinned key from the replica"))
                .isEqualTo("primary");
        assertThat(values.get(prefix + "state.primary")).isEqualTo("{\"state\":\"open\",\"version\":8}");
        assertThat(values.get(prefix + "state.replica")).as(result.describe("did not fail the stale read"))
                .isEqualTo("caught:io.stateguard.agent.api.StaleStateException");
        assertThat(values.get(prefix + "state.replica.message")).startsWith("StateGuard: stale state");
        assertThat(values.get(prefix + "state.replica.beside.lettuce")).isEqualTo("true");
        assertThat(values.get(prefix + "state.replica.is.redis.exception")).isEqualTo("true");
    }

    /**
     * The application class that catches {@code StaleStateException} is linked (and verified: the JVM
     * loads every catch type) before its deployment has loaded a single Lettuce class; it must link,
     * and the stale read must then be caught by that very clause. A class of the class path, which
     * has no Lettuce at all, may name the exception too.
     */
    @Test
    void anApplicationThatNamesStaleStateExceptionBeforeLettuceLoadsStartsAndCatchesIt() throws Exception {
        staleReplicaFor("iso1:pinned:k", "iso1:state:k");
        ForkedJvm.Result result = deploymentJvm()
                .run(DeploymentsProbe.class.getName(), "link-first", libraries(), nodes(), "iso1:pinned:k",
                        "iso1:state:k")
                .assertSuccess();
        Map<String, String> values = result.values("probe.");
        assertThat(values.get("linked")).as(result.describe("could not link the application")).isEqualTo("true");
        assertRoutedAndGuarded(values, "1.", result);
        assertThat(values.get("system.linked")).as(result.describe("a class path class could not name it"))
                .isEqualTo("true");
        assertThat(values.get("system.superclass")).isEqualTo("java.lang.RuntimeException");
        assertThat(result.stderr()).doesNotContain("internal error");
    }

    /**
     * Deployment 1 does routed and guarded reads, then is closed and dropped (client shut down, class
     * loader closed): garbage collection, repeated at most 50 times, must clear a weak reference to its
     * class loader (otherwise the forked JVM prints what still reaches it from the agent's static fields
     * and live threads, and its largest heap classes). Deployment 2, a fresh Lettuce in a new class
     * loader, must still be routed and guarded.
     */
    @Test
    void aDiscardedDeploymentIsCollectedAndTheNextOneIsRoutedAndGuarded() throws Exception {
        staleReplicaFor("iso2:pinned:k", "iso2:state:k");
        staleReplicaFor("iso3:pinned:k", "iso3:state:k");
        ForkedJvm jvm = deploymentJvm();
        for (String opened : new String[] {"java.lang", "java.lang.invoke", "java.lang.ref", "java.util",
            "java.util.concurrent", "java.util.concurrent.atomic", "java.util.concurrent.locks"}) {
            jvm.jvmArg("--add-opens=java.base/" + opened + "=ALL-UNNAMED"); // for the diagnostics' reflection
        }
        ForkedJvm.Result result = jvm.timeoutSeconds(180)
                .run(DeploymentsProbe.class.getName(), "two-deployments", libraries(), nodes(), "iso2:pinned:k",
                        "iso2:state:k", "iso3:pinned:k", "iso3:state:k", "50")
                .assertSuccess();
        Map<String, String> values = result.values("probe.");
        assertRoutedAndGuarded(values, "1.", result);
        StringBuilder pins = new StringBuilder();
        values.forEach((name, value) -> {
            if (name.startsWith("pin.")) {
                pins.append("\n  ").append(value);
            }
        });
        assertThat(values.get("1.collected"))
                .as(result.describe("kept deployment 1's class loader after " + values.get("gc.attempts")
                        + " collections") + "\nreached from:" + pins)
                .isEqualTo("true");
        assertRoutedAndGuarded(values, "2.", result);
        assertThat(result.stderr()).doesNotContain("internal error");
    }
}
