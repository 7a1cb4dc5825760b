package io.stateguard.it.probe;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import io.stateguard.harness.LagProxy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static io.stateguard.it.probe.StateVersions.version;

/**
 * A Lettuce application whose read of a stale replica the guard must re-read on the primary, and
 * whose re-read then goes wrong; the command must still complete, once, with the replica's value
 * (as without the agent) or an error, never hang. The application reaches the primary through a
 * {@link LagProxy} of its own (plain TCP, holding the primary's replies when paused), so that it can
 * tell when the re-read's reply is held at the proxy and act at exactly that point.
 *
 * <p>Scenarios:
 * <ul>
 *   <li>{@code error-reply}: the primary answers the re-read with an error (the application's user may
 *       not {@code GET} on the primary: an ACL the test set up);</li>
 *   <li>{@code primary-lost}: the connection to the primary closes while the re-read's reply is held
 *       (auto-reconnect off, so Lettuce fails the re-read at once);</li>
 *   <li>{@code cancelled}: the application cancels its command while the re-read's reply is held,
 *       then the reply arrives;</li>
 *   <li>{@code timed-out}: the command times out (1 s) while the re-read's reply is held, and so does
 *       the re-read; the probe writes {@code <dir>/timed-out} and waits for {@code <dir>/resume} (the
 *       test creates it once the agent has reported) before releasing the late reply;</li>
 *   <li>{@code writer-closed}: the application closes its connection while the replica's reply is
 *       being decoded, so that the re-read finds the connection's writer closed;</li>
 *   <li>{@code in-transaction}: the application opens a transaction ({@code MULTI}) on the same
 *       connection while the replica's reply is being decoded; after the read it queues one {@code SET}
 *       and runs {@code EXEC}, and prints {@code probe.exec=} how many replies the transaction had.</li>
 * </ul>
 * The application first writes version 7 of the key (the mark), then reads it with
 * {@code ReadFrom.REPLICA}; the replica has version 6. Prints {@code probe.read=} the version it got or
 * {@code EXC:<type>}, {@code probe.completions=} how many times the command's future completed, and
 * {@code probe.after=} a later read of the key on the primary through the same connections.
 *
 * <p>Arguments: {@code <scenario> <primary host:port> <replica host:port> <key> [<user> <password> | <dir>]}.
 */
public final class GuardRereadFailureProbe {

    public static void main(String[] args) throws Exception {
        String scenario = args[0];
        String[] primary = args[1].split(":");
        String key = args[3];
        LagProxy proxy = LagProxy.start(primary[0], Integer.parseInt(primary[1]));
        List<RedisURI> nodes = new ArrayList<>();
        for (String node : new String[] {proxy.host() + ":" + proxy.port(), args[2]}) {
            String[] hostPort = node.split(":");
            RedisURI.Builder uri = RedisURI.builder().withHost(hostPort[0]).withPort(Integer.parseInt(hostPort[1]))
                    .withTimeout(Duration.ofSeconds(scenario.equals("timed-out") ? 1 : 30));
            if (args.length > 5 && !scenario.equals("timed-out")) {
                uri.withAuthentication(args[4], args[5].toCharArray());
            }
            nodes.add(uri.build());
        }
        RedisClient client = RedisClient.create();
        if (scenario.equals("primary-lost")) {
            client.setOptions(ClientOptions.builder().autoReconnect(false).build());
        }
        if (scenario.equals("writer-closed")) {
            try {
                writerClosed(client, nodes, key);
            } finally {
                proxy.close();
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
            return;
        }
        String read;
        String after;
        AtomicInteger completions = new AtomicInteger();
        ClosingCodec replicaCodec = new ClosingCodec();
        if (scenario.equals("timed-out")) {
            // The replica's stale reply is decoded 300 ms late (on the event loop, before the guard sees it): the
            // re-read starts 300 ms after the command, so its 1 s timeout comes well after the command's, many
            // ticks of Lettuce's timeout timer apart.
            replicaCodec.onStale = () -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
        }
        java.util.concurrent.atomic.AtomicReference<ProbeConnections.Pair> opened =
                new java.util.concurrent.atomic.AtomicReference<>();
        if (scenario.equals("in-transaction")) {
            // MULTI from the event loop, while the stale reply is decoded: its write marks the connection as in a
            // transaction at once (the command itself reaches the primary a moment later).
            replicaCodec.onStale = () -> opened.get().replica.async().multi();
        }
        String exec = null;
        try (ProbeConnections.Pair pair = ProbeConnections.primaryAndReplica(client, nodes, replicaCodec)) {
            opened.set(pair);
            pair.replica.sync().set(key, "{\"state\":\"open\",\"version\":7}");
            // The write's reply makes the agent read the primary's replication ID (INFO replication) on the
            // same primary connection: a second write answers after it, so that the only reply held below is
            // the re-read's.
            pair.replica.sync().set("probe-barrier", "x");
            if (!scenario.equals("error-reply") && !scenario.equals("in-transaction")) {
                proxy.pause();
            }
            RedisFuture<String> future = pair.replica.async().get(key);
            future.whenComplete((value, error) -> completions.incrementAndGet());
            switch (scenario) {
                case "error-reply":
                    break;
                case "in-transaction": {
                    outcome(future); // the read completes now, not at EXEC
                    pair.replica.sync().set("probe-tx", "x");
                    exec = attempt(() -> String.valueOf(pair.replica.sync().exec().size()));
                    System.out.println("probe.exec=" + exec);
                    break;
                }
                case "primary-lost":
                    awaitHeldReply(proxy, future);
                    proxy.close();
                    break;
                case "cancelled":
                    awaitHeldReply(proxy, future);
                    future.cancel(true);
                    proxy.resume();
                    break;
                case "timed-out": {
                    awaitHeldReply(proxy, future);
                    outcome(future); // the command times out (1 s) while the re-read's reply is held
                    // The re-read times out too; the test says when the agent has dealt with that.
                    Path dir = Paths.get(args[4]);
                    Files.createFile(dir.resolve("timed-out"));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (!Files.exists(dir.resolve("resume")) && System.nanoTime() < deadline) {
                        Thread.sleep(10);
                    }
                    proxy.resume();
                    break;
                }
                default:
                    throw new IllegalArgumentException(scenario);
            }
            read = outcome(future);
            // Whatever happened, the connections keep working (or fail cleanly if the primary is gone).
            after = attempt(() -> version(pair.primary.sync().get(key)));
        } finally {
            proxy.close();
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
        System.out.println("probe.read=" + read);
        System.out.println("probe.completions=" + completions.get());
        System.out.println("probe.after=" + after);
    }

    /**
     * The application closes its connection while the replica's stale reply is being decoded (its codec
     * does it, on a thread of its own, and waits until the close has begun): the guard's re-read then
     * finds the channel writer closed, and the command must complete with the replica's value.
     */
    private static void writerClosed(RedisClient client, List<RedisURI> nodes, String key) throws Exception {
        ClosingCodec codec = new ClosingCodec();
        StatefulRedisMasterReplicaConnection<String, String> connection = MasterReplica.connect(client, codec, nodes);
        connection.setReadFrom(ReadFrom.REPLICA);
        connection.sync().set(key, "{\"state\":\"open\",\"version\":7}");
        CountDownLatch closing = new CountDownLatch(1);
        codec.onStale = () -> {
            Thread closer = new Thread(() -> {
                connection.closeAsync();
                closing.countDown();
            }, "application-closes-its-connection");
            closer.start();
            try {
                closing.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        AtomicInteger completions = new AtomicInteger();
        RedisFuture<String> future = connection.async().get(key);
        future.whenComplete((value, error) -> completions.incrementAndGet());
        System.out.println("probe.read=" + outcome(future));
        System.out.println("probe.completions=" + completions.get());
        System.out.println("probe.closing=" + (closing.getCount() == 0));
        System.out.println("probe.after=" + attempt(() -> version(connection.sync().get(key))));
    }

    /** UTF-8 strings; runs {@link #onStale} (once) on the event-loop thread while decoding a version 6 value. */
    private static final class ClosingCodec implements RedisCodec<String, String> {

        volatile Runnable onStale;

        @Override
        public String decodeKey(ByteBuffer bytes) {
            return StringCodec.UTF8.decodeKey(bytes);
        }

        @Override
        public String decodeValue(ByteBuffer bytes) {
            String value = StringCodec.UTF8.decodeValue(bytes);
            Runnable action = onStale;
            if (action != null && value.contains("\"version\":6")) {
                onStale = null;
                action.run();
            }
            return value;
        }

        @Override
        public ByteBuffer encodeKey(String key) {
            return StringCodec.UTF8.encodeKey(key);
        }

        @Override
        public ByteBuffer encodeValue(String value) {
            return StringCodec.UTF8.encodeValue(value);
        }
    }

    /** Waits until the primary's reply to the re-read is held at the proxy (the only traffic there now). */
    private static void awaitHeldReply(LagProxy proxy, RedisFuture<String> future) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (proxy.pendingBytes() == 0) {
            if (future.isDone()) {
                throw new IllegalStateException("the read completed without a re-read on the primary: "
                        + outcome(future));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no re-read reached the primary");
            }
            Thread.sleep(5);
        }
    }

    private static String outcome(RedisFuture<String> future) {
        try {
            return version(future.get(60, TimeUnit.SECONDS));
        } catch (CancellationException e) {
            return "EXC:" + e.getClass().getName();
        } catch (ExecutionException e) {
            return "EXC:" + e.getCause().getClass().getName();
        } catch (TimeoutException e) {
            return "HANG";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "EXC:" + e.getClass().getName();
        }
    }

    private static String attempt(java.util.concurrent.Callable<String> call) {
        try {
            return call.call();
        } catch (Exception e) {
            return "EXC:" + e.getClass().getName();
        }
    }
}
