package io.stateguard.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Replication checks and divergence techniques shared by the topologies. */
final class Replication {

    /**
     * Runs a write on the primary whose effect is replicated while the primary itself keeps its previous
     * value: the script dumps the key, runs the write (propagated to replicas as usual), then switches
     * propagation off ({@code redis.set_repl(redis.REPL_NONE)}) and restores the dump locally (or deletes the
     * key if it did not exist). All of it runs atomically, so no client sees the intermediate value on the
     * primary. {@code redis.replicate_commands()} (effects replication, which {@code set_repl} requires) is
     * the default since Redis 5 and a no-op on 7+; it is called anyway so that a server configured with
     * {@code lua-replicate-commands no} behaves the same.
     *
     * <p>KEYS[1] is the key; ARGV is the write command with the key omitted: {@code SET <key> v} is
     * {@code ARGV = [SET, v]}.
     */
    private static final String DIVERGE_SCRIPT = String.join("\n",
            "redis.replicate_commands()",
            "local dump = redis.call('DUMP', KEYS[1])",
            "local ttl = redis.call('PTTL', KEYS[1])",
            "redis.call(ARGV[1], KEYS[1], unpack(ARGV, 2))",
            "redis.set_repl(redis.REPL_NONE)",
            "if dump then",
            "  if ttl < 0 then ttl = 0 end",
            "  redis.call('RESTORE', KEYS[1], ttl, dump, 'REPLACE')",
            "else",
            "  redis.call('DEL', KEYS[1])",
            "end",
            "return 'OK'");

    private Replication() {
    }

    /** A replica and the port it must be replicating from (the primary's, or a proxy's in front of it). */
    record Link(RedisNode replica, int masterPort) {
    }

    /** @return the primary's {@code master_repl_offset} */
    static long primaryOffset(RedisNode primary) {
        return Long.parseLong(primary.info("replication").get("master_repl_offset"));
    }

    /**
     * @return {@code null} if the replica is a connected replica of {@code link.masterPort()} at offset
     *         &ge; {@code offset}; otherwise what is still missing
     */
    static String unmetSync(Link link, long offset) {
        RedisNode replica = link.replica();
        Map<String, String> info = replica.info("replication");
        if (!"slave".equals(info.get("role"))) {
            return replica + " has role " + info.get("role");
        }
        if (!String.valueOf(link.masterPort()).equals(info.get("master_port"))) {
            return replica + " replicates from port " + info.get("master_port") + ", expected " + link.masterPort();
        }
        if (!"up".equals(info.get("master_link_status"))) {
            return replica + " master_link_status:" + info.get("master_link_status");
        }
        long replicaOffset = Long.parseLong(info.getOrDefault("slave_repl_offset", "-1"));
        return replicaOffset >= offset ? null : replica + " at offset " + replicaOffset + " < " + offset;
    }

    /** Waits until every link's replica has processed what {@code primary} had written at call time. */
    static void awaitInSync(AbstractTopology topology, RedisNode primary, List<Link> links) {
        long offset = primaryOffset(primary);
        List<RedisNode> replicas = new ArrayList<>();
        links.forEach(link -> replicas.add(link.replica()));
        topology.await("replicas " + replicas + " to reach offset " + offset + " of " + primary, () -> {
            for (Link link : links) {
                String unmet = unmetSync(link, offset);
                if (unmet != null) {
                    return unmet;
                }
            }
            return null;
        });
    }

    /**
     * Runs {@code write} directly on one replica, briefly allowing writes there ({@code replica-read-only no})
     * and restoring the previous setting afterwards. Only that replica diverges. Not usable on Cluster
     * replicas: they redirect writes to their master ({@code MOVED}) whatever {@code replica-read-only} says.
     */
    static void writeOnReplica(RedisNode replica, String... write) {
        List<?> previous = (List<?>) replica.command("CONFIG", "GET", "replica-read-only");
        String readOnly = previous.size() == 2 ? (String) previous.get(1) : "yes";
        replica.command("CONFIG", "SET", "replica-read-only", "no");
        try {
            replica.command(write);
        } finally {
            replica.command("CONFIG", "SET", "replica-read-only", readOnly);
        }
    }

    /**
     * Applies {@code command key args...} to the replicas of {@code primary} only, keeping the primary's
     * value (see {@link #DIVERGE_SCRIPT}). Every replica of that primary diverges. The caller awaits the
     * replication of the effect.
     */
    static void writeOnReplicasOnly(RedisNode primary, String key, String command, String... args) {
        String[] eval = new String[5 + args.length];
        eval[0] = "EVAL";
        eval[1] = DIVERGE_SCRIPT;
        eval[2] = "1";
        eval[3] = key;
        eval[4] = command;
        System.arraycopy(args, 0, eval, 5, args.length);
        primary.command(eval);
    }
}
