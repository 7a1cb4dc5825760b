package io.stateguard.it.redisson;

import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.RedissonDeploymentProbe;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redisson application deployed with its own Redisson and libraries in a class loader of its own
 * ({@link RedissonDeploymentProbe}), as a Spring Boot fat jar or an application server does: the agent defines
 * its Redisson adapter in that class loader, and state keys are read from the master there too.
 */
class RedissonClassLoaderEndToEndTest {

    /** Redisson and what it needs at run time; the forked JVM's class path goes without them. */
    private static final String[] LIBRARIES = {"/org/redisson/", "/io/netty/", "/io/projectreactor/",
        "/org/reactivestreams/", "/io/reactivex/", "/com/esotericsoftware/", "/org/objenesis/", "/net/bytebuddy/",
        "/org/jodd/", "/javax/cache/", "/org/yaml/"};

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = StaleReplicaFixture.staleMasterReplica();

    @Test
    void redissonInItsOwnClassLoaderIsRoutedToo() throws Exception {
        List<String> jars = ForkedJvm.testClassPathEntries(LIBRARIES);
        assertThat(jars).as("Redisson and its libraries on the test class path").isNotEmpty();
        PrimaryReplicaTopology redis = REDIS.get();
        String[] keys = StaleReplicaFixture.probeKeys();
        ForkedJvm.Result result = ForkedJvm.create().withAgent(StaleReplicaFixture.AGENT_ARGS).classPathWithout(LIBRARIES)
                .run(RedissonDeploymentProbe.class.getName(), String.join(File.pathSeparator, jars), "masterslave",
                        redis.primary().hostAndPort() + "," + redis.replicas().get(0).hostAndPort(), "SLAVE", "reads",
                        keys[0], keys[1], keys[2], keys[3])
                .assertSuccess();
        Map<String, String> values = result.values("probe.");
        assertThat(values.remove("deployment.redisson.loader")).as(result.describe("Redisson in the deployment"))
                .isEqualTo("true");
        assertThat(values.remove("deployment.system.redisson")).as("no Redisson on the class path").isEqualTo("false");
        assertThat(values).as(result.describe("state keys from the master, inside the deployment"))
                .containsExactlyInAnyOrderEntriesOf(RedissonRoutingEndToEndTest.stateFromMaster());
        assertThat(result.stderr())
                .contains("[stateguard] INFO Redisson from redisson-4.0.0.jar: applying redisson-3.16.8+")
                .doesNotContain("[stateguard] WARN");
    }
}
