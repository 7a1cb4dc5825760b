package io.stateguard.benchmarks.startup;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small Lettuce application: connects to a primary and a replica (Master/Replica, {@code REPLICA_PREFERRED}),
 * reads one key and prints {@code first-command-ok} as soon as the reply is there (the runner times that line
 * from process start). Then it collects garbage and prints the heap and metaspace in use, and the loaded
 * classes.
 */
public final class StartupApp {

    public static void main(String[] args) throws Exception {
        int primary = Integer.parseInt(args[0]);
        int replica = Integer.parseInt(args[1]);
        RedisClient client = RedisClient.create();
        try (StatefulRedisMasterReplicaConnection<String, String> connection = MasterReplica.connect(client,
                StringCodec.UTF8, List.of(RedisURI.create("127.0.0.1", primary), RedisURI.create("127.0.0.1", replica)))) {
            connection.setReadFrom(ReadFrom.REPLICA_PREFERRED);
            String value = connection.sync().get("evolution:state:r000000");
            if (value == null) {
                throw new IllegalStateException("key not loaded");
            }
            System.out.println("first-command-ok");
            System.out.flush();
            System.out.println("result.uptimeMillis=" + ManagementFactory.getRuntimeMXBean().getUptime());
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            System.out.println("result.heapUsed=" + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            long metaspace = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.NON_HEAP && pool.getName().equals("Metaspace")) {
                    metaspace = pool.getUsage().getUsed();
                }
            }
            System.out.println("result.metaspaceUsed=" + metaspace);
            System.out.println("result.loadedClasses=" + ManagementFactory.getClassLoadingMXBean().getLoadedClassCount());
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
