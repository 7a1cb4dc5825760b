package io.stateguard.it.spring;

import io.stateguard.harness.NoStrayProcesses;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.harness.SentinelTopology;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Spring Boot application (Spring Data Redis on Lettuce, {@code ReadFrom.REPLICA_PREFERRED}), run as
 * its executable fat jar with {@code java -javaagent:stateguard-agent.jar -jar app.jar}. Every Spring Boot
 * module ({@code boot-3.5}, {@code boot-4.0}, {@code boot-4.1}) runs these tests on the jar it built with its
 * own Spring Boot, Spring Data Redis and Lettuce. Lettuce lives in Spring Boot's {@code LaunchedClassLoader}
 * (nested jars below {@code BOOT-INF/lib}), the agent on the system class path: the advice reaches the
 * agent by parent delegation, and {@code StaleStateException} is defined beside the application's Lettuce.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpringBootFatJarEndToEndTest {

    private static final String GUARD_KEY = "sgs:guard:inst1";

    // The replica is held longer than the default max-replica-lag (1 s) on purpose, which would send its reads to the
    // primary: this test is about the guard facing a stale replica.
    private static final String GUARD_ARGS = "keys=sgs:guard:*;version=json:/version;routing=replica-checked;"
            + "on-regression=fail;max-replica-lag=1h";

    /** No redis-server may outlive the class. */
    @RegisterExtension
    @Order(1) // registered first, so that it checks last: after the topologies are closed
    static final NoStrayProcesses NO_STRAYS = NoStrayProcesses.afterClass("redis");

    /** Each topology with a deliberately stale replica, for the whole class; logs kept if anything failed. */
    @RegisterExtension
    @Order(2)
    static final RedisTopologyExtension<PrimaryReplicaTopology> MASTER_REPLICA = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start())
            .then(redis -> StaleReplicaFixture.apply(redis.primary(), redis::awaitReplicated));

    @RegisterExtension
    @Order(3)
    static final RedisTopologyExtension<SentinelTopology> SENTINEL = RedisTopologyExtension
            .of(() -> SentinelTopology.builder().replicas(1).start())
            .then(sentinel -> StaleReplicaFixture.apply(sentinel.primary(), sentinel::awaitReplicated));

    private PrimaryReplicaTopology masterReplica;

    private SentinelTopology sentinel;

    @BeforeAll
    void checkTheJar() throws IOException {
        // The jar is the one this module claims to test: its own Spring Boot, and the Lettuce that Boot manages.
        String bootVersion = System.getProperty("stateguard.spring.boot.version");
        assertThat(bootVersion).as("the module names its Spring Boot version (stateguard.spring.boot.version)")
                .isNotBlank();
        assertThat(nestedJars()).as("the fat jar " + appJar() + " is built with Spring Boot " + bootVersion)
                .contains("spring-boot-" + bootVersion + ".jar");
        masterReplica = MASTER_REPLICA.get();
        sentinel = SENTINEL.get();
    }

    @Test
    void staticMasterReplicaRoutesStateKeysToThePrimary() throws Exception {
        assertRoutesStateKeysToThePrimary("--probe.mode=static",
                "--probe.nodes=" + join(List.of(masterReplica.primary(), masterReplica.replicas().get(0))));
    }

    @Test
    void sentinelRoutesStateKeysToThePrimary() throws Exception {
        assertRoutesStateKeysToThePrimary("--probe.mode=sentinel", "--probe.master=" + sentinel.masterName(),
                "--probe.nodes=" + join(sentinel.sentinels()));
    }

    /**
     * {@code on-regression=fail} inside the fat jar: the application wrote version 7, the replica still
     * has version 6, and the read fails with {@code StaleStateException}, a subclass of the
     * application's own {@code RedisException}, defined in Spring Boot's class loader and translated
     * by Spring Data Redis like any Lettuce error.
     */
    @Test
    void versionGuardFailsStaleReadsWithStaleStateExceptionInsideTheFatJar() throws Exception {
        RedisNode primary = masterReplica.primary();
        masterReplica.lagProxy(0).resume();
        primary.command("SET", GUARD_KEY, "{\"state\":\"connecting\",\"version\":6}");
        masterReplica.awaitReplicated();
        masterReplica.lagProxy(0).pause();
        try {
            String[] args = {"--probe.mode=static",
                    "--probe.nodes=" + join(List.of(primary, masterReplica.replicas().get(0))),
                    "--probe.guard-key=" + GUARD_KEY};
            ForkedJvm.Result without = ForkedJvm.create().runJar(appJar(), args).assertSuccess();
            assertThat(without.values("probe.")).as(without.describe("the replica serves version 6"))
                    .containsEntry("guard.sync", "{\"state\":\"connecting\",\"version\":6}")
                    .containsEntry("guard.reactive", "{\"state\":\"connecting\",\"version\":6}");

            ForkedJvm.Result with = ForkedJvm.create().withAgent(GUARD_ARGS).runJar(appJar(), args).assertSuccess();
            String stale = "io.stateguard.agent.api.StaleStateException@LaunchedClassLoader";
            assertThat(with.values("probe.").get("guard.sync")).as(with.describe("the sync read fails"))
                    .startsWith("EXC:org.springframework.data.redis.RedisSystemException@LaunchedClassLoader:")
                    .endsWith(":" + stale);
            assertThat(with.values("probe.").get("guard.reactive")).as(with.describe("the reactive read fails"))
                    .startsWith("EXC:").contains(stale);
            assertThat(with.stderr()).contains("type=version_regression action=failed rule=default db=0 key=" + GUARD_KEY)
                    .contains("expected=7 observed=6")
                    .doesNotContain("internal error");
            // Defining StaleStateException in Spring Boot's class loader calls no sun.misc.Unsafe (Java 24+ would say so).
            assertThat(jvmWarnings(with)).as(with.describe("the agent adds no JVM warning")).isEqualTo(jvmWarnings(without));
        } finally {
            masterReplica.lagProxy(0).resume();
        }
    }

    private void assertRoutesStateKeysToThePrimary(String... connection) throws Exception {
        List<String> args = new ArrayList<>(List.of(connection));
        args.add("--probe.state=" + StaleReplicaFixture.STATE_KEY);
        args.add("--probe.other=" + StaleReplicaFixture.OTHER_KEY);
        args.add("--probe.hash=" + StaleReplicaFixture.HASH_KEY);
        args.add("--probe.field=" + StaleReplicaFixture.HASH_FIELD);

        ForkedJvm.Result without = ForkedJvm.create().runJar(appJar(), args.toArray(new String[0])).assertSuccess();
        assertThat(without.values("probe.")).as(without.describe("without the agent every read is served by the replica"))
                .containsExactlyInAnyOrderEntriesOf(expected("connecting", "replica-creds", "replica-cache|connecting"));

        ForkedJvm.Result with = ForkedJvm.create().withAgent(StaleReplicaFixture.AGENT_ARGS)
                .runJar(appJar(), args.toArray(new String[0])).assertSuccess();
        assertThat(with.values("probe.")).as(with.describe("with the agent, state keys come from the primary"))
                .containsExactlyInAnyOrderEntriesOf(expected("open", "primary-creds", "primary-cache|open"));
        assertThat(with.stderr())
                .contains("[stateguard] INFO Lettuce from " + lettuceJar() + ": applying lettuce-6+")
                .contains("[stateguard] INFO instrumented io.lettuce.core.masterreplica.MasterReplicaChannelWriter")
                .doesNotContain("[stateguard] WARN")
                .doesNotContain("[stateguard] ERROR");
        assertThat(jvmWarnings(with)).as(with.describe("the agent adds no JVM warning")).isEqualTo(jvmWarnings(without));
    }

    /** The JVM's own {@code WARNING:} lines (Unsafe, dynamic agents, native access, ...). */
    private static List<String> jvmWarnings(ForkedJvm.Result result) {
        return result.stderr().lines().filter(line -> line.startsWith("WARNING:")).toList();
    }

    /**
     * Reads of the state key and the creds hash give {@code state} and {@code creds}, the other key
     * stays on the replica, and an {@code MGET} of both goes where its state key goes.
     */
    private static Map<String, String> expected(String state, String creds, String mget) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String api : new String[] {"template", "redistemplate", "pipelined", "reactive"}) {
            values.put(api + ".state", state);
            values.put(api + ".other", "replica-cache");
        }
        values.put("template.hget", creds);
        values.put("reactive.hget", creds);
        values.put("template.mget", mget);
        return values;
    }

    /** The file names of the jars below {@code BOOT-INF/lib} of the application jar. */
    private static List<String> nestedJars() throws IOException {
        try (JarFile jar = new JarFile(appJar().toFile())) {
            return jar.stream().map(JarEntry::getName).filter(name -> name.startsWith("BOOT-INF/lib/"))
                    .map(name -> name.substring("BOOT-INF/lib/".length())).toList();
        }
    }

    /** The Lettuce jar that this Spring Boot put into the application, e.g. {@code lettuce-core-6.8.2.RELEASE.jar}. */
    private static String lettuceJar() throws IOException {
        List<String> lettuce = nestedJars().stream().filter(name -> name.startsWith("lettuce-core-")).toList();
        assertThat(lettuce).as("one Lettuce in the application jar").hasSize(1);
        return lettuce.get(0);
    }

    static Path appJar() {
        Path jar = Paths.get(System.getProperty("stateguard.spring.app.jar", "target/stateguard-spring-app.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no Spring Boot application jar at " + jar.toAbsolutePath()
                    + " (mvn package builds it before the *EndToEndTest tests)");
        }
        return jar;
    }

    private static String join(List<RedisNode> nodes) {
        StringBuilder joined = new StringBuilder();
        for (RedisNode node : nodes) {
            joined.append(joined.length() == 0 ? "" : ",").append(node.hostAndPort());
        }
        return joined.toString();
    }
}
