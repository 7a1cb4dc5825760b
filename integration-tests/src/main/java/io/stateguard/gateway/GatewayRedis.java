package io.stateguard.gateway;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import io.lettuce.core.resource.ClientResources;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The gateway's one Lettuce connection, opened the way a Lettuce application does it: writes go to the
 * primary, every read follows the connection's {@link ReadFrom}. Master/Replica (static, discovered or via
 * Sentinel) uses {@code MasterReplica.connect}; Cluster uses {@link RedisClusterClient}. Both connections are
 * thread-safe and shared by all HTTP and simulation threads.
 */
public final class GatewayRedis implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

    private final AutoCloseable client;
    private final StatefulConnection<String, String> connection;
    private final RedisClusterCommands<String, String> commands;
    private final ClientResources resources;

    private GatewayRedis(AutoCloseable client, ClientResources resources, StatefulConnection<String, String> connection,
            RedisClusterCommands<String, String> commands) {
        this.client = client;
        this.resources = resources;
        this.connection = connection;
        this.commands = commands;
    }

    /**
     * Connects and sets {@code readFrom}.
     *
     * @throws io.lettuce.core.RedisException if Redis cannot be reached
     */
    public static GatewayRedis connect(RedisTarget target, ReadFrom readFrom) {
        // Two I/O threads are plenty for one connection per node; the default (one per core, at least 2) too.
        ClientResources resources = ClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        if (target.kind() == RedisTarget.Kind.CLUSTER) {
            RedisClusterClient client = RedisClusterClient.create(resources, target.uris());
            try {
                StatefulRedisClusterConnection<String, String> connection = client.connect(StringCodec.UTF8);
                connection.setReadFrom(readFrom);
                connection.setTimeout(COMMAND_TIMEOUT);
                return new GatewayRedis(() -> client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT), resources, connection,
                        connection.sync());
            } catch (RuntimeException e) {
                client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
                shutDown(resources);
                throw e;
            }
        }
        RedisClient client = RedisClient.create(resources);
        try {
            StatefulRedisMasterReplicaConnection<String, String> connection = target.kind() == RedisTarget.Kind.STATIC
                    ? MasterReplica.connect(client, StringCodec.UTF8, target.uris())
                    : MasterReplica.connect(client, StringCodec.UTF8, target.uris().get(0));
            connection.setReadFrom(readFrom);
            connection.setTimeout(COMMAND_TIMEOUT);
            return new GatewayRedis(() -> client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT), resources, connection,
                    connection.sync());
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
            shutDown(resources);
            throw e;
        }
    }

    /** @return the synchronous API shared by Master/Replica and Cluster connections */
    public RedisClusterCommands<String, String> commands() {
        return commands;
    }

    /** Closes the connection, the client and its threads. */
    @Override
    public void close() {
        try {
            connection.close();
            client.close();
        } catch (Exception e) {
            System.err.println("[gateway] WARN closing the Redis client failed: " + e);
        } finally {
            shutDown(resources);
        }
    }

    private static void shutDown(ClientResources resources) {
        try {
            // No quiet period: nothing is in flight any more, and a clean exit should not take seconds.
            resources.shutdown(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .get(SHUTDOWN_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("[gateway] WARN Lettuce threads did not stop cleanly: " + e);
        }
    }
}
