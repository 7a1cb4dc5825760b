package io.stateguard.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out TCP ports on 127.0.0.1 that are free at the time of the call.
 *
 * <p>Why not simply bind port 0? The port is needed before the redis-server process binds it, and the
 * kernel picks port-0 ports from the ephemeral range, the same range it uses for the local side of every
 * outgoing connection: between "found free" and "redis-server binds it", an outgoing connection could take
 * it. So ports are picked <em>below</em> the ephemeral range (read from
 * {@code /proc/sys/net/ipv4/ip_local_port_range} on Linux, assumed to start at 49152 elsewhere), starting at
 * a random offset so that concurrent JVMs rarely probe the same ports, and each candidate is checked by
 * binding it. A port is never handed out twice within one JVM. Another process may still grab a port before
 * Redis binds it; {@link RedisNode} retries with a new port when its port was allocated here.
 *
 * <p>Redis Cluster nodes also listen on {@code port + 10000} (the cluster bus), so
 * {@link #nextClusterPort()} checks and reserves both, and keeps {@code port + 10000} within the valid range.
 */
public final class FreePorts {

    /** Offset of the Redis Cluster bus port from the client port (Redis default). */
    public static final int CLUSTER_BUS_OFFSET = 10_000;

    private static final int LOWEST = 10_000;
    private static final int HIGHEST_CLUSTER = 55_534; // so that port + 10000 <= 65534

    private static final Set<Integer> handedOut = new HashSet<>();
    private static final int plainHighest;
    private static final int clusterHighest;
    private static int cursor = ThreadLocalRandom.current().nextInt(1 << 20);

    static {
        int ephemeralLow = ephemeralRangeStart();
        // A tiny range below the ephemeral one is useless: then just rely on the bind check over everything.
        plainHighest = ephemeralLow - 1 >= LOWEST + 1_000 ? ephemeralLow - 1 : 65_535;
        int clusterLimit = ephemeralLow - 1 - CLUSTER_BUS_OFFSET;
        clusterHighest = clusterLimit >= LOWEST + 1_000 ? Math.min(clusterLimit, HIGHEST_CLUSTER) : HIGHEST_CLUSTER;
    }

    private FreePorts() {
    }

    /**
     * A port that is free on 127.0.0.1 now and was not returned before by this class in this JVM.
     *
     * @throws IllegalStateException if no free port is left in the range
     */
    public static synchronized int next() {
        return allocate(plainHighest, false);
    }

    /**
     * A port {@code p} for a Redis Cluster node: {@code p} and the bus port {@code p + 10000} are both free on
     * 127.0.0.1 now, {@code p < 55535}, and neither was returned before in this JVM (both are reserved).
     *
     * @throws IllegalStateException if no such port is left in the range
     */
    public static synchronized int nextClusterPort() {
        return allocate(clusterHighest, true);
    }

    private static int allocate(int highest, boolean withBus) {
        int size = highest - LOWEST + 1;
        for (int attempt = 0; attempt < size; attempt++) {
            int port = LOWEST + Math.floorMod(cursor++, size);
            if (handedOut.contains(port) || (withBus && handedOut.contains(port + CLUSTER_BUS_OFFSET))) {
                continue;
            }
            if (!isFree(port) || (withBus && !isFree(port + CLUSTER_BUS_OFFSET))) {
                continue;
            }
            handedOut.add(port);
            if (withBus) {
                handedOut.add(port + CLUSTER_BUS_OFFSET);
            }
            return port;
        }
        throw new IllegalStateException("No free port left in " + LOWEST + ".." + highest);
    }

    /** @return whether {@code port} can be bound on 127.0.0.1 right now */
    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // Same option redis-server sets, so a port in TIME_WAIT counts as free, as it will for Redis.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int ephemeralRangeStart() {
        Path range = Paths.get("/proc/sys/net/ipv4/ip_local_port_range");
        try {
            if (Files.isReadable(range)) {
                // A reader, not Files.readString: /proc files report size 0 and readString may stop early.
                try (BufferedReader reader = Files.newBufferedReader(range, StandardCharsets.US_ASCII)) {
                    String line = reader.readLine();
                    if (line != null) {
                        return Integer.parseInt(line.trim().split("\\s+")[0]);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // Fall through to the IANA default.
        }
        return 49_152;
    }
}
