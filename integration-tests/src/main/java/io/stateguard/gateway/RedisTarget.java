package io.stateguard.gateway;

import io.lettuce.core.RedisURI;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the gateway's Redis is, parsed from {@code CACHE_REDIS_URI}:
 *
 * <ul>
 *   <li>{@code redis://host:port}: one node; Lettuce discovers its replicas ({@link Kind#DISCOVERY});</li>
 *   <li>{@code redis://primary:6379,redis://replica:6380}: static Master/Replica nodes ({@link Kind#STATIC});</li>
 *   <li>{@code redis-sentinel://h1:26379,h2:26379#mymaster}: Sentinel ({@link Kind#SENTINEL}), Lettuce's own URI
 *       syntax;</li>
 *   <li>{@code redis-cluster://h1:7000,h2:7001}: Redis Cluster seed nodes ({@link Kind#CLUSTER}).</li>
 * </ul>
 *
 * @param kind how to connect
 * @param uris the Lettuce URIs: the nodes, or a single Sentinel URI
 */
public record RedisTarget(Kind kind, List<RedisURI> uris) {

    /** How the gateway connects. */
    public enum Kind {
        /** {@code MasterReplica.connect} with one node URI: replicas are discovered from {@code INFO replication}. */
        DISCOVERY,
        /** {@code MasterReplica.connect} with every node listed. */
        STATIC,
        /** {@code MasterReplica.connect} with a {@code redis-sentinel://} URI. */
        SENTINEL,
        /** {@code RedisClusterClient} with seed nodes. */
        CLUSTER
    }

    private static final String CLUSTER_SCHEME = "redis-cluster://";

    public RedisTarget {
        Objects.requireNonNull(kind, "kind");
        uris = List.copyOf(uris);
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("No Redis URI");
        }
    }

    /**
     * @throws IllegalArgumentException naming the problem when {@code value} is none of the accepted forms
     */
    public static RedisTarget parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("CACHE_REDIS_URI is empty");
        }
        String trimmed = value.trim();
        String lower = trimmed.toLowerCase(Locale.ROOT);
        try {
            if (lower.startsWith(CLUSTER_SCHEME)) {
                List<RedisURI> seeds = new ArrayList<>();
                for (String hostPort : trimmed.substring(CLUSTER_SCHEME.length()).split(",")) {
                    seeds.add(RedisURI.create("redis://" + hostPort.trim()));
                }
                return new RedisTarget(Kind.CLUSTER, seeds);
            }
            if (lower.startsWith("redis-sentinel://")) {
                // Lettuce parses several Sentinel hosts and the #masterId itself.
                return new RedisTarget(Kind.SENTINEL, List.of(RedisURI.create(trimmed)));
            }
            List<RedisURI> nodes = new ArrayList<>();
            for (String uri : trimmed.split(",")) {
                nodes.add(RedisURI.create(uri.trim()));
            }
            return new RedisTarget(nodes.size() == 1 ? Kind.DISCOVERY : Kind.STATIC, nodes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid CACHE_REDIS_URI '" + value + "': " + e.getMessage(), e);
        }
    }
}
