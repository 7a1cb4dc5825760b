package io.stateguard.harness;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Safety net against stray redis-server processes: every started {@link RedisNode} is registered here until
 * it is stopped, and a JVM shutdown hook kills whatever is still registered (a test that forgot to close a
 * topology, a test run aborted with Ctrl-C, System.exit in a forked test JVM...).
 *
 * <p>It cannot help when the JVM itself is killed with SIGKILL: no Java code runs then.
 */
final class ProcessReaper {

    private static final Set<RedisNode> live = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ProcessReaper::reapAll, "stateguard-harness-reaper"));
    }

    private ProcessReaper() {
    }

    static void register(RedisNode node) {
        live.add(node);
    }

    static void unregister(RedisNode node) {
        live.remove(node);
    }

    private static void reapAll() {
        // Kill all first, then wait: the JVM is exiting, so SHUTDOWN round trips are not worth their time.
        for (RedisNode node : live) {
            node.destroyOnJvmExit();
        }
        for (RedisNode node : live) {
            node.cleanUpOnJvmExit();
        }
    }
}
