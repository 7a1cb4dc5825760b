package io.stateguard.it.spring;

import io.stateguard.harness.NoStrayProcesses;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Spring Boot 3.5 application's Spring Data Redis on Redisson ({@code RedissonConnectionFactory} of
 * redisson-spring-data-35, Redisson's default {@code ReadMode.SLAVE}), run as its executable fat jar with
 * {@code java -javaagent:stateguard-agent.jar -jar app.jar --probe.redisson=true}: Redisson lives in Spring
 * Boot's {@code LaunchedClassLoader} (a nested jar below {@code BOOT-INF/lib}). Without the agent every read is
 * served by the stale replica; with it, reads of state keys come from the master and other keys stay on the
 * replica.
 */
class SpringBootRedissonFatJarEndToEndTest {

    /** No redis-server may outlive the class. */
    @RegisterExtension
    @Order(1) // registered first, so that it checks last: after the topology is closed
    static final NoStrayProcesses NO_STRAYS = NoStrayProcesses.afterClass("redis");

    private static final String REDISSON_FACTORY = "org.redisson.spring.data.connection.RedissonConnectionFactory";

    @RegisterExtension
    @Order(2)
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = StaleReplicaFixture.staleMasterReplica();

    @Test
    void redissonConnectionFactoryReadsStateKeysFromTheMasterInsideTheFatJar() throws Exception {
        PrimaryReplicaTopology redis = REDIS.get();
        String[] args = {"--probe.redisson=true", "--probe.mode=static",
                "--probe.nodes=" + redis.primary().hostAndPort() + "," + redis.replicas().get(0).hostAndPort(),
                "--probe.state=" + StaleReplicaFixture.STATE_KEY, "--probe.other=" + StaleReplicaFixture.OTHER_KEY,
                "--probe.hash=" + StaleReplicaFixture.HASH_KEY, "--probe.field=" + StaleReplicaFixture.HASH_FIELD};

        ForkedJvm.Result without = ForkedJvm.create().runJar(SpringBootFatJarEndToEndTest.appJar(), args)
                .assertSuccess();
        assertThat(without.values("probe.")).as(without.describe("without the agent every read is served by the replica"))
                .containsExactlyInAnyOrderEntriesOf(expected("connecting", "replica-creds", "replica-cache|connecting", "replica-cache"));

        ForkedJvm.Result with = ForkedJvm.create().withAgent(StaleReplicaFixture.AGENT_ARGS)
                .runJar(SpringBootFatJarEndToEndTest.appJar(), args).assertSuccess();
        assertThat(with.values("probe.")).as(with.describe("with the agent, state keys come from the master"))
                .containsExactlyInAnyOrderEntriesOf(expected("open", "primary-creds", "primary-cache|open", "primary-cache"));
        assertThat(with.stderr())
                .contains("[stateguard] INFO Redisson from " + redissonJar() + ": applying redisson-3.16.8+")
                .contains("[stateguard] INFO instrumented org.redisson.command.CommandAsyncService")
                .contains("[stateguard] INFO instrumented org.redisson.command.CommandBatchService")
                .doesNotContain("internal error")
                .doesNotContain("[stateguard] WARN")
                .doesNotContain("[stateguard] ERROR");
    }

    /**
     * Reads of the state key and the creds hash give {@code state} and {@code creds}, the other key stays on
     * the replica, and an {@code MGET} of both goes where its state key goes. {@code template}, {@code pipelined}
     * and {@code reactive} read through Redisson; {@code redistemplate}, the application's own template on its
     * {@code LettuceConnectionFactory}, through Lettuce. Spring Boot's templates were given Redisson's factory.
     * Redisson runs the pipeline as an {@code RBatch}, whose commands for one node go together: the other key
     * read in the state key's pipeline goes with it ({@code pipelinedOther}), as the README says of batches.
     */
    private static Map<String, String> expected(String state, String creds, String mget, String pipelinedOther) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String api : new String[] {"template", "redistemplate", "reactive"}) {
            values.put(api + ".state", state);
            values.put(api + ".other", "replica-cache");
        }
        values.put("pipelined.state", state);
        values.put("pipelined.other", pipelinedOther);
        values.put("template.hget", creds);
        values.put("reactive.hget", creds);
        values.put("template.mget", mget);
        values.put("factory.template", REDISSON_FACTORY);
        values.put("factory.reactive", REDISSON_FACTORY);
        return values;
    }

    /** The Redisson jar in the application jar: {@code redisson-3.52.0.jar}. */
    private static String redissonJar() throws IOException {
        try (JarFile jar = new JarFile(SpringBootFatJarEndToEndTest.appJar().toFile())) {
            List<String> redisson = jar.stream().map(JarEntry::getName)
                    .filter(name -> name.startsWith("BOOT-INF/lib/redisson-") && !name.contains("spring-data"))
                    .map(name -> name.substring("BOOT-INF/lib/".length())).toList();
            assertThat(redisson).as("one Redisson in the application jar").containsExactly("redisson-3.52.0.jar");
            return redisson.get(0);
        }
    }
}
