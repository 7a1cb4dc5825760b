package io.stateguard.it.probe;

import io.lettuce.core.GetExArgs;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.stateguard.harness.RespClient;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static io.stateguard.it.probe.StateVersions.version;

/**
 * A Lettuce application that runs the steps it is given, in order, each through Lettuce's typed sync
 * API as an application would write it, and prints {@code probe.<n>=<result>} for step {@code n}
 * (from 1): a string value's {@code "version"} ({@code nil}, {@code unversioned:<text>}), a hash
 * field as it is, {@code MGET} values joined by {@code |}, a write's reply, or {@code EXC:<type>}.
 *
 * <p>A step is one argument, {@code <db>|<via>|<command>|<arg>|...}: {@code via} is {@code replica}
 * (a Master/Replica connection with {@code ReadFrom.REPLICA}), {@code primary} (the same with the
 * primary), {@code raw} (the harness's RESP client straight to the primary: another process's
 * write, which the agent never sees) or {@code raw-replica} (the same, straight to the replica, made
 * writable for that one command: a replica going back in time). Connections use database {@code db} of
 * their {@code RedisURI}.
 * Commands: {@code get}, {@code getex} (with {@code EX 600}), {@code mget}, {@code hget}, {@code set},
 * {@code setex}, {@code psetex}, {@code getset}, {@code mset}, {@code hset}, {@code hmset} (field
 * value pairs), {@code set-nx}, {@code set-xx} ({@code SET} with {@code NX} or {@code XX}: {@code OK} or
 * {@code null}), {@code set-get} ({@code SET … GET}: the previous value's version), {@code setnx},
 * {@code msetnx} (key value pairs), {@code hsetnx} (key field value: {@code true} or {@code false}),
 * {@code set-px} (key value milliseconds: {@code SET … PX}), {@code expire} (key seconds),
 * {@code sleep} (milliseconds),
 * {@code del}, {@code unlink}, {@code getdel}, {@code multi-del} ({@code DEL} inside
 * {@code MULTI}...{@code EXEC}); for {@code raw} and {@code raw-replica}, any Redis command.
 *
 * <p>The agent logs at most 10 inconsistencies a second: the probe starts a new logging window before
 * a read that could bring the current one over 10, so every event is logged.
 *
 * <p>Arguments: {@code <primary host:port>,<replica host:port> <step>...}.
 */
public final class GuardStepsProbe {

    public static void main(String[] args) throws Exception {
        String[] nodes = args[0].split(",");
        Map<Integer, ProbeConnections.Pair> pairs = new HashMap<>();
        Map<Integer, RespClient> raw = new HashMap<>();
        Map<String, String> results = new LinkedHashMap<>();
        RedisClient client = RedisClient.create();
        int keysInWindow = 0;
        try {
            for (int n = 1; n < args.length; n++) {
                List<String> step = Arrays.asList(args[n].split("\\|", -1));
                int db = Integer.parseInt(step.get(0));
                String via = step.get(1);
                String command = step.get(2);
                List<String> arguments = step.subList(3, step.size());
                if (via.equals("raw") || via.equals("raw-replica")) {
                    int node = via.equals("raw") ? 0 : 1;
                    RespClient resp = raw.computeIfAbsent(db * 2 + node, index -> {
                        String[] hostPort = nodes[node].split(":");
                        RespClient opened = new RespClient(hostPort[0], Integer.parseInt(hostPort[1]));
                        opened.call("SELECT", Integer.toString(db));
                        return opened;
                    });
                    List<Object> call = new ArrayList<>();
                    call.add(command);
                    call.addAll(arguments);
                    if (node == 1) {
                        resp.call("CONFIG", "SET", "replica-read-only", "no");
                    }
                    try {
                        results.put(Integer.toString(n), attempt(() -> String.valueOf(resp.call(call.toArray()))));
                    } finally {
                        if (node == 1) {
                            resp.call("CONFIG", "SET", "replica-read-only", "yes");
                        }
                    }
                    continue;
                }
                if (isRead(command)) {
                    int keys = command.equals("mget") ? arguments.size() : 1;
                    if (keysInWindow + keys > 10) {
                        LogWindow.next();
                        keysInWindow = 0;
                    }
                    keysInWindow += keys;
                }
                ProbeConnections.Pair pair = pairs.computeIfAbsent(db, index -> connect(client, nodes, index));
                RedisCommands<String, String> redis = via.equals("primary") ? pair.primary.sync() : pair.replica.sync();
                results.put(Integer.toString(n), attempt(() -> run(redis, command, arguments)));
            }
        } finally {
            for (ProbeConnections.Pair pair : pairs.values()) {
                pair.close();
            }
            for (RespClient resp : raw.values()) {
                resp.close();
            }
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
        results.forEach((name, value) -> System.out.println("probe." + name + "=" + value));
    }

    private static boolean isRead(String command) {
        return command.equals("get") || command.equals("getex") || command.equals("mget") || command.equals("hget");
    }

    private static ProbeConnections.Pair connect(RedisClient client, String[] nodes, int db) {
        List<RedisURI> uris = ProbeConnections.nodes(nodes);
        for (RedisURI uri : uris) {
            uri.setDatabase(db);
        }
        return ProbeConnections.primaryAndReplica(client, uris);
    }

    private static String run(RedisCommands<String, String> redis, String command, List<String> args) {
        String key = args.isEmpty() ? null : args.get(0);
        switch (command) {
            case "get":
                return version(redis.get(key));
            case "getex":
                return version(redis.getex(key, GetExArgs.Builder.ex(600)));
            case "mget": {
                StringBuilder values = new StringBuilder();
                for (KeyValue<String, String> value : redis.mget(args.toArray(new String[0]))) {
                    values.append(values.length() == 0 ? "" : "|").append(version(value.getValueOrElse(null)));
                }
                return values.toString();
            }
            case "hget":
                return String.valueOf(redis.hget(key, args.get(1)));
            case "set":
                return redis.set(key, args.get(1));
            case "set-nx":
                return redis.set(key, args.get(1), SetArgs.Builder.nx());
            case "set-xx":
                return redis.set(key, args.get(1), SetArgs.Builder.xx());
            case "set-get":
                return version(redis.setGet(key, args.get(1)));
            case "setnx":
                return String.valueOf(redis.setnx(key, args.get(1)));
            case "msetnx":
                return String.valueOf(redis.msetnx(pairs(args, 0)));
            case "hsetnx":
                return String.valueOf(redis.hsetnx(key, args.get(1), args.get(2)));
            case "set-px":
                return redis.set(key, args.get(1), SetArgs.Builder.px(Long.parseLong(args.get(2))));
            case "expire":
                return String.valueOf(redis.expire(key, Long.parseLong(args.get(1))));
            case "sleep":
                try {
                    Thread.sleep(Long.parseLong(key));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "slept";
            case "setex":
                return redis.setex(key, 600, args.get(1));
            case "psetex":
                return redis.psetex(key, 600_000, args.get(1));
            case "getset":
                return version(redis.getset(key, args.get(1)));
            case "mset":
                return redis.mset(pairs(args, 0));
            case "hset":
                return String.valueOf(redis.hset(key, pairs(args, 1)));
            case "hmset":
                return redis.hmset(key, pairs(args, 1));
            case "del":
                return String.valueOf(redis.del(args.toArray(new String[0])));
            case "unlink":
                return String.valueOf(redis.unlink(args.toArray(new String[0])));
            case "getdel":
                return version(redis.getdel(key));
            case "multi-del": {
                redis.multi();
                redis.del(args.toArray(new String[0]));
                Object deleted = redis.exec().get(0);
                return String.valueOf(deleted);
            }
            default:
                throw new IllegalArgumentException("unknown step command " + command);
        }
    }

    private static Map<String, String> pairs(List<String> args, int from) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (int i = from; i + 1 < args.size(); i += 2) {
            pairs.put(args.get(i), args.get(i + 1));
        }
        return pairs;
    }

    private static String attempt(Callable<String> call) {
        try {
            return call.call();
        } catch (Exception e) {
            return "EXC:" + e.getClass().getName();
        }
    }
}
