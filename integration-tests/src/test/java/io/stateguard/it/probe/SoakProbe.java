package io.stateguard.it.probe;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One gateway process of a soak: the state operations a status gateway makes, at random, on instances
 * that another process (a second copy of this probe) works on too. Per operation, on a random one of
 * {@code <instances>} instances:
 * <ul>
 *   <li>its state: a version from a shared counter ({@code INCR}, so the two processes interleave and may
 *       write an older version after a newer one), written with {@code SET};</li>
 *   <li>a session key written with a time to live of 20 to 200 ms ({@code SET … PX}), read again later;</li>
 *   <li>a lock taken with {@code SET … NX PX 100}, mostly refused because the other process holds it;</li>
 *   <li>deletes of the state ({@code DEL}) and of the session ({@code UNLINK});</li>
 *   <li>reads ({@code GET}, {@code MGET} of state and session), three out of five operations.</li>
 * </ul>
 * Every state value is JSON with a {@code "version"}. Reads go through {@code ReadFrom} as given
 * ({@code upstream} or {@code replica}). Prints {@code probe.operations=}, {@code probe.exceptions=} (any
 * exception, {@code StaleStateException} included) and {@code probe.firstException=}.
 *
 * <p>Arguments: {@code <primary host:port>,<replica host:port> <readFrom> <operations> <instances> <seed>}.
 */
public final class SoakProbe {

    public static void main(String[] args) {
        String[] nodes = args[0].split(",");
        ReadFrom readFrom = ReadFrom.valueOf(args[1]);
        int operations = Integer.parseInt(args[2]);
        int instances = Integer.parseInt(args[3]);
        Random random = new Random(Long.parseLong(args[4]));
        RedisClient client = RedisClient.create();
        int exceptions = 0;
        String first = "none";
        try (StatefulRedisMasterReplicaConnection<String, String> connection = MasterReplica.connect(client,
                StringCodec.UTF8, ProbeConnections.nodes(nodes))) {
            connection.setReadFrom(readFrom);
            RedisCommands<String, String> redis = connection.sync();
            for (int n = 0; n < operations; n++) {
                String instance = "soak:state:i" + random.nextInt(instances);
                try {
                    operate(redis, random, instance);
                } catch (RuntimeException e) {
                    if (exceptions++ == 0) {
                        first = e.toString();
                    }
                }
            }
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
        System.out.println("probe.operations=" + operations);
        System.out.println("probe.exceptions=" + exceptions);
        System.out.println("probe.firstException=" + first);
    }

    private static void operate(RedisCommands<String, String> redis, Random random, String instance) {
        String session = instance + ":session";
        String lock = instance + ":lock";
        int choice = random.nextInt(20);
        if (choice < 4) {
            long version = redis.incr("soak:version:" + instance);
            redis.set(instance, json("open", version));
        } else if (choice < 5) {
            long version = redis.incr("soak:version:" + session);
            redis.set(session, json("session", version), SetArgs.Builder.px(20 + random.nextInt(180)));
        } else if (choice < 6) {
            long version = redis.incr("soak:version:" + lock);
            redis.set(lock, json("lock", version), SetArgs.Builder.nx().px(100));
        } else if (choice < 7) {
            if (random.nextBoolean()) {
                redis.del(instance);
            } else {
                redis.unlink(session);
            }
        } else if (choice < 10) {
            for (KeyValue<String, String> ignored : redis.mget(instance, session)) {
                // read, as a status page would
            }
        } else {
            String key = random.nextInt(3) == 0 ? session : random.nextInt(4) == 0 ? lock : instance;
            redis.get(key);
        }
    }

    private static String json(String state, long version) {
        return "{\"state\":\"" + state + "\",\"version\":" + version + "}";
    }
}
