package io.stateguard.it.versions;

import io.stateguard.it.probe.LoadLettuceProbe;
import io.stateguard.it.support.ForkedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Lettuce whose classes do not have the shape the agent was written for is left exactly as it is,
 * with one warning that names what did not fit: the agent applies a module to a class loader
 * completely or not at all, and only after finding every method its advice goes into.
 */
class UnsupportedLettuceEndToEndTest {

    @Test
    void lettuce50HasAnOlderProviderShapeAndIsLeftUnchangedWithOneWarning() throws Exception {
        ForkedJvm.Result result = ForkedJvm.create().lettuceVersion("5.0.5.RELEASE").withAgent("keys=gw:state:*")
                .run(LoadLettuceProbe.class.getName()).assertSuccess();
        assertThat(result.values("probe.").get("jar")).contains("5.0.5.RELEASE");
        assertThat(warnings(result)).as(result.describe("must warn once"))
                .singleElement().asString()
                .contains("Lettuce from lettuce-core.jar has an unknown shape for lettuce-5")
                .contains("MasterSlaveConnectionProvider has no getConnectionAsync(intent) with a READ/WRITE intent enum")
                .contains("leaves it unchanged");
        assertThat(result.stderr()).doesNotContain("instrumented io.lettuce").doesNotContain("applying");
    }

    /**
     * A made-up future Lettuce, compiled here: {@code future} changes the writer's {@code write}
     * (an extra parameter) and the intent enum (no {@code READ}/{@code WRITE}); {@code intent} keeps
     * every method and changes only the intent enum. The application must behave exactly as without
     * the agent.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"future", "intent"})
    void anUnknownShapeLeavesTheApplicationUnchangedWithOneWarning(String variant, @TempDir Path directory)
            throws Exception {
        Path classes = compileFakeLettuce(variant, directory);

        ForkedJvm.Result without = ForkedJvm.create().lettuceJar(classes).run("futureapp.FutureLettuceApp")
                .assertSuccess();
        ForkedJvm.Result with = ForkedJvm.create().lettuceJar(classes).withAgent("keys=sg:state:*")
                .run("futureapp.FutureLettuceApp").assertSuccess();

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("state", "replica:sg:state:1");
        expected.put("other", "replica:sg:cache:1");
        expected.put("write", "primary:sg:state:1");
        expected.put("cluster", "replica:sg:state:1");
        assertThat(without.values("probe.")).as(without.describe("the fake Lettuce itself")).isEqualTo(expected);
        assertThat(with.values("probe.")).as(with.describe("unchanged by the agent")).isEqualTo(expected);

        String warning = variant.equals("future")
                ? "MasterReplicaChannelWriter has no write(RedisCommand)"
                : "PooledClusterConnectionProvider has no getConnectionAsync(intent, int slot) with a READ/WRITE intent enum";
        assertThat(warnings(with)).as(with.describe("must warn once")).singleElement().asString()
                .startsWith("[stateguard] WARN Lettuce from classes has an unknown shape for lettuce-6+ (")
                .contains("MasterReplicaConnectionProvider has no getConnectionAsync(intent) with a READ/WRITE intent enum")
                .contains(warning)
                .endsWith("; StateGuard leaves it unchanged");
        assertThat(with.stderr()).doesNotContain("instrumented io.lettuce").doesNotContain("internal error");
    }

    private static List<String> warnings(ForkedJvm.Result result) {
        return Arrays.stream(result.stderr().split("\\R")).filter(line -> line.contains("WARN")).toList();
    }

    /** Compiles the fake Lettuce and its application into {@code directory}/classes. */
    private static Path compileFakeLettuce(String variant, Path directory) throws Exception {
        boolean future = variant.equals("future");
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("io/lettuce/core/AbstractRedisClient.java",
                "package io.lettuce.core; public abstract class AbstractRedisClient {}");
        sources.put("io/lettuce/core/RedisClient.java",
                "package io.lettuce.core; public class RedisClient extends AbstractRedisClient {}");
        // Intents of another vocabulary: the advice could not swap READ for WRITE.
        sources.put("io/lettuce/core/protocol/ConnectionIntent.java",
                "package io.lettuce.core.protocol; public enum ConnectionIntent { PRIMARY, ANY_NODE }");
        sources.put("io/lettuce/core/protocol/RedisCommand.java",
                "package io.lettuce.core.protocol; public interface RedisCommand { String getType(); String getKey(); }");
        sources.put("io/lettuce/core/protocol/Command.java", """
                package io.lettuce.core.protocol;
                public final class Command implements RedisCommand {
                    private final String type, key;
                    public Command(String type, String key) { this.type = type; this.key = key; }
                    public String getType() { return type; }
                    public String getKey() { return key; }
                }""");
        sources.put("io/lettuce/core/masterreplica/MasterReplicaConnectionProvider.java", """
                package io.lettuce.core.masterreplica;
                import io.lettuce.core.protocol.ConnectionIntent;
                public class MasterReplicaConnectionProvider {
                    public String getConnectionAsync(ConnectionIntent intent) {
                        return intent == ConnectionIntent.PRIMARY ? "primary" : "replica";
                    }
                }""");
        String extra = future ? ", boolean flush" : "";
        sources.put("io/lettuce/core/masterreplica/MasterReplicaChannelWriter.java", """
                package io.lettuce.core.masterreplica;
                import io.lettuce.core.protocol.*;
                import java.util.Collection;
                public class MasterReplicaChannelWriter {
                    private final MasterReplicaConnectionProvider provider = new MasterReplicaConnectionProvider();
                    public String write(RedisCommand command%1$s) {
                        ConnectionIntent intent = command.getType().equals("GET") ? ConnectionIntent.ANY_NODE
                                : ConnectionIntent.PRIMARY;
                        return provider.getConnectionAsync(intent) + ":" + command.getKey();
                    }
                    public String write(Collection<RedisCommand> commands%1$s) {
                        return provider.getConnectionAsync(ConnectionIntent.PRIMARY);
                    }
                }""".formatted(extra));
        sources.put("io/lettuce/core/cluster/PooledClusterConnectionProvider.java", """
                package io.lettuce.core.cluster;
                import io.lettuce.core.protocol.ConnectionIntent;
                public class PooledClusterConnectionProvider {
                    public String getConnectionAsync(ConnectionIntent intent, int slot) {
                        return intent == ConnectionIntent.PRIMARY ? "primary" : "replica";
                    }
                }""");
        sources.put("io/lettuce/core/cluster/ClusterDistributionChannelWriter.java", """
                package io.lettuce.core.cluster;
                import io.lettuce.core.protocol.*;
                import java.util.Collection;
                public class ClusterDistributionChannelWriter {
                    private final PooledClusterConnectionProvider provider = new PooledClusterConnectionProvider();
                    public String write(RedisCommand command) {
                        ConnectionIntent intent = command.getType().equals("GET") ? ConnectionIntent.ANY_NODE
                                : ConnectionIntent.PRIMARY;
                        return provider.getConnectionAsync(intent, 7) + ":" + command.getKey();
                    }
                    public String write(Collection<RedisCommand> commands) {
                        return provider.getConnectionAsync(ConnectionIntent.PRIMARY, 7);
                    }
                }""");
        String flush = future ? ", true" : "";
        sources.put("futureapp/FutureLettuceApp.java", """
                package futureapp;
                import io.lettuce.core.RedisClient;
                import io.lettuce.core.cluster.ClusterDistributionChannelWriter;
                import io.lettuce.core.masterreplica.MasterReplicaChannelWriter;
                import io.lettuce.core.protocol.Command;
                public final class FutureLettuceApp {
                    public static void main(String[] args) {
                        new RedisClient();
                        MasterReplicaChannelWriter writer = new MasterReplicaChannelWriter();
                        System.out.println("probe.state=" + writer.write(new Command("GET", "sg:state:1")%1$s));
                        System.out.println("probe.other=" + writer.write(new Command("GET", "sg:cache:1")%1$s));
                        System.out.println("probe.write=" + writer.write(new Command("SET", "sg:state:1")%1$s));
                        System.out.println("probe.cluster="
                                + new ClusterDistributionChannelWriter().write(new Command("GET", "sg:state:1")));
                    }
                }""".formatted(flush));

        Path sourceRoot = directory.resolve("src");
        Path classes = directory.resolve("classes");
        Files.createDirectories(classes);
        List<String> arguments = new ArrayList<>(List.of("--release", "8", "-nowarn", "-d", classes.toString()));
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = sourceRoot.resolve(source.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            arguments.add(file.toString());
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = compiler.run(null, diagnostics, diagnostics, arguments.toArray(new String[0]));
        assertThat(status).as("javac: " + diagnostics.toString(StandardCharsets.UTF_8)).isZero();
        return classes;
    }
}
