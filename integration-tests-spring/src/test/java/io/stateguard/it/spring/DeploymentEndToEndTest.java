package io.stateguard.it.spring;

import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Deploy" section, as an operator runs it: the Spring Boot application started with plain
 * {@code java -jar app.jar} and the agent added from outside the command line, through
 * {@code JAVA_TOOL_OPTIONS} (what a container image or a Kubernetes pod spec sets), with its settings from
 * {@code STATEGUARD_*} environment variables or from a mounted {@code stateguard.properties}
 * ({@code STATEGUARD_CONFIG}, a ConfigMap), checked from outside with {@code jcmd}. Each test first shows
 * the replica is stale for this application without the agent.
 */
class DeploymentEndToEndTest {

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start())
            .then(redis -> StaleReplicaFixture.apply(redis.primary(), redis::awaitReplicated));

    /** The README's container snippet: the jar in the image, the flag and the settings in the environment. */
    @Test
    void javaToolOptionsWithSettingsFromEnvironmentVariables() throws Exception {
        assertStaleWithoutTheAgent();
        ForkedJvm.Result with = ForkedJvm.create()
                .env("JAVA_TOOL_OPTIONS", "-javaagent:" + ForkedJvm.agentJar())
                .env("STATEGUARD_KEYS", "sg{t}:state:*")
                .env("STATEGUARD_RULE_CREDS_KEYS", "sg{t}:instance:*")
                .runJar(SpringBootFatJarEndToEndTest.appJar(), probeArgs()).assertSuccess();
        assertRoutedByTheAgent(with);
        assertThat(with.stderr()).as(with.describe("the JVM says where the flag came from"))
                .contains("Picked up JAVA_TOOL_OPTIONS: -javaagent:" + ForkedJvm.agentJar());
        assertThat(with.stderr()).as(with.describe("the rules come from the environment"))
                .contains("rules: default{keys=sg{t}:state:*, routing=primary}, creds{keys=sg{t}:instance:*, routing=primary}");
    }

    /** The README's Kubernetes snippet: a ConfigMap mounted as a file, named by {@code STATEGUARD_CONFIG}. */
    @Test
    void javaToolOptionsWithAMountedPropertiesFile(@TempDir Path configMap) throws Exception {
        assertStaleWithoutTheAgent();
        Path properties = configMap.resolve("stateguard.properties");
        Files.write(properties, List.of(
                "# mounted from the ConfigMap stateguard-config",
                "stateguard.rule.state.keys=sg{t}:state:*",
                "stateguard.rule.creds.keys=sg{t}:instance:*",
                "stateguard.rule.cache.keys=sg{t}:cache:*",
                "stateguard.rule.cache.routing=configured"), StandardCharsets.UTF_8);
        ForkedJvm.Result with = ForkedJvm.create()
                .env("JAVA_TOOL_OPTIONS", "-javaagent:" + ForkedJvm.agentJar())
                .env("STATEGUARD_CONFIG", properties.toString())
                .runJar(SpringBootFatJarEndToEndTest.appJar(), probeArgs()).assertSuccess();
        assertRoutedByTheAgent(with);
        assertThat(with.stderr()).as(with.describe("the rules come from the file"))
                .contains("rules: cache{keys=sg{t}:cache:*, routing=configured}, creds{keys=sg{t}:instance:*,"
                        + " routing=primary}, state{keys=sg{t}:state:*, routing=primary}");
    }

    /**
     * The flag in {@code JAVA_TOOL_OPTIONS} and again on the command line: the JVM reads
     * {@code JAVA_TOOL_OPTIONS} first, so that load wins and the second is ignored with one warning (its
     * arguments are not applied).
     */
    @Test
    void aSecondFlagOnTheCommandLineIsIgnoredWithOneWarning() throws Exception {
        assertStaleWithoutTheAgent();
        ForkedJvm.Result with = ForkedJvm.create()
                .env("JAVA_TOOL_OPTIONS", "-javaagent:" + ForkedJvm.agentJar() + "=" + StaleReplicaFixture.AGENT_ARGS)
                .withAgent("keys=nothing:*")
                .runJar(SpringBootFatJarEndToEndTest.appJar(), probeArgs()).assertSuccess();
        assertRoutedByTheAgent(with);
        assertThat(with.stderr().lines().filter(line -> line.startsWith("[stateguard] WARN")).toList())
                .as(with.describe("one warning for the second load"))
                .singleElement().asString()
                .matches("\\[stateguard] WARN StateGuard \\S+ is already installed in this JVM; the second load is ignored");
        assertThat(with.stderr()).doesNotContain("nothing:*");
    }

    /** The README's check that the agent is active in a running JVM: {@code jcmd <pid> VM.system_properties}. */
    @Test
    void jcmdShowsTheAgentActiveInARunningApplication() throws Exception {
        assertStaleWithoutTheAgent();
        List<String> args = new java.util.ArrayList<>(List.of(probeArgs()));
        args.add("--probe.hold=true");
        try (ForkedJvm.Running running = ForkedJvm.create()
                .env("JAVA_TOOL_OPTIONS", "-javaagent:" + ForkedJvm.agentJar())
                .env("STATEGUARD_KEYS", "sg{t}:state:*")
                .startJar(SpringBootFatJarEndToEndTest.appJar(), args.toArray(new String[0]))) {
            running.awaitLine(line -> line.equals("probe.holding=true"), Duration.ofSeconds(60));
            assertThat(running.stdout()).as(running.describe("reads the state key from the primary"))
                    .contains("probe.template.state=open");
            String output = jcmd(running.pid(), "VM.system_properties");
            Properties properties = new Properties();
            properties.load(new StringReader(output));
            assertThat(properties.getProperty("io.stateguard.agent.version"))
                    .as("jcmd VM.system_properties of the running application:\n" + output).isNotBlank();
            assertThat(properties.getProperty("io.stateguard.agent.status"))
                    .as("jcmd VM.system_properties of the running application:\n" + output)
                    .startsWith("active; rules: default{keys=sg{t}:state:*, routing=primary}; instrumented: ")
                    .contains("io.lettuce.core.masterreplica.MasterReplicaChannelWriter")
                    .contains("io.lettuce.core.masterreplica.MasterReplicaConnectionProvider");
        }
    }

    private static String[] probeArgs() {
        PrimaryReplicaTopology redis = REDIS.get();
        return new String[] {"--probe.mode=static",
                "--probe.nodes=" + redis.primary().hostAndPort() + "," + redis.replica(0).hostAndPort(),
                "--probe.state=" + StaleReplicaFixture.STATE_KEY, "--probe.other=" + StaleReplicaFixture.OTHER_KEY,
                "--probe.hash=" + StaleReplicaFixture.HASH_KEY, "--probe.field=" + StaleReplicaFixture.HASH_FIELD};
    }

    private static void assertStaleWithoutTheAgent() throws Exception {
        ForkedJvm.Result without = ForkedJvm.create().runJar(SpringBootFatJarEndToEndTest.appJar(), probeArgs()).assertSuccess();
        assertThat(without.values("probe.")).as(without.describe("without the agent the replica answers, stale"))
                .containsEntry("template.state", "connecting")
                .containsEntry("template.hget", "replica-creds")
                .containsEntry("template.other", "replica-cache");
    }

    private static void assertRoutedByTheAgent(ForkedJvm.Result with) {
        Map<String, String> values = with.values("probe.");
        assertThat(values).as(with.describe("state keys from the primary, other keys still from the replica"))
                .containsEntry("template.state", "open")
                .containsEntry("reactive.state", "open")
                .containsEntry("template.hget", "primary-creds")
                .containsEntry("template.other", "replica-cache")
                .containsEntry("reactive.other", "replica-cache");
        assertThat(with.stderr()).as(with.describe("the start-up line"))
                .containsPattern("\\[stateguard] INFO StateGuard \\S+ started in \\d+ ms; rules: ")
                .doesNotContain("[stateguard] ERROR");
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("jcmd ends").isTrue();
        assertThat(process.exitValue()).as("jcmd " + pid + " " + command + ":\n" + output).isZero();
        return output;
    }
}
