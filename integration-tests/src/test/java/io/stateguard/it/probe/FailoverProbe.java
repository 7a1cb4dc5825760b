package io.stateguard.it.probe;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Lettuce application reading one state key through Sentinel, over and over, across a failover the
 * test causes. It writes {@code <dir>/ready} after its first successful read, {@code <dir>/changed}
 * once it has read a different version, stops when {@code <dir>/stop} appears, and prints the
 * versions it saw in order (consecutive repeats collapsed) and how many reads failed.
 *
 * <p>Arguments: {@code <sentinel host:port,...> <masterName> <key> <dir>}.
 */
public final class FailoverProbe {

    private static final Pattern VERSION = Pattern.compile("\"version\":(-?\\d+)");

    public static void main(String[] args) throws Exception {
        RedisURI.Builder uri = RedisURI.builder().withSentinelMasterId(args[1]).withTimeout(Duration.ofSeconds(2));
        for (String sentinel : args[0].split(",")) {
            String[] hostPort = sentinel.split(":");
            uri.withSentinel(hostPort[0], Integer.parseInt(hostPort[1]));
        }
        String key = args[2];
        Path dir = Paths.get(args[3]);
        List<String> sequence = new ArrayList<>();
        int errors = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        RedisClient client = RedisClient.create();
        try (StatefulRedisMasterReplicaConnection<String, String> connection = MasterReplica.connect(client,
                StringCodec.UTF8, uri.build())) {
            connection.setReadFrom(ReadFrom.REPLICA_PREFERRED);
            while (!Files.exists(dir.resolve("stop")) && System.nanoTime() < deadline) {
                try {
                    String version = version(connection.sync().get(key));
                    if (sequence.isEmpty() || !sequence.get(sequence.size() - 1).equals(version)) {
                        sequence.add(version);
                    }
                    touch(dir.resolve("ready"));
                    if (sequence.size() > 1) {
                        touch(dir.resolve("changed"));
                    }
                } catch (RuntimeException e) {
                    errors++;
                }
                Thread.sleep(20);
            }
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
        System.out.println("probe.sequence=" + String.join(",", sequence));
        System.out.println("probe.errors=" + errors);
    }

    private static void touch(Path file) throws java.io.IOException {
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
    }

    private static String version(String json) {
        if (json == null) {
            return "nil";
        }
        Matcher matcher = VERSION.matcher(json);
        return matcher.find() ? matcher.group(1) : "unversioned";
    }
}
