package io.stateguard.it.probe;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.stateguard.harness.LagProxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
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
 *       then the reply arrives.</li>
 * </ul>
 * The application first writes version 7 of the key (the mark), then reads it with
 * {@code ReadFrom.REPLICA}; the replica has version 6. Prints {@code probe.read=} the version it got or
 * {@code EXC:<type>}, {@code probe.completions=} how many times the command's future completed, and
 * {@code probe.after=} a later read of the key on the primary through the same connections.
 *
 * <p>Arguments: {@code <scenario> <primary host:port> <replica host:port> <key> [<user> <password>]}.
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
                    .withTimeout(Duration.ofSeconds(30));
            if (args.length > 5) {
                uri.withAuthentication(args[4], args[5].toCharArray());
            }
            nodes.add(uri.build());
        }
        RedisClient client = RedisClient.create();
        if (scenario.equals("primary-lost")) {
            client.setOptions(ClientOptions.builder().autoReconnect(false).build());
        }
        String read;
        String after;
        AtomicInteger completions = new AtomicInteger();
        try (ProbeConnections.Pair pair = ProbeConnections.primaryAndReplica(client, nodes)) {
            pair.replica.sync().set(key, "{\"state\":\"open\",\"version\":7}");
            if (!scenario.equals("error-reply")) {
                proxy.pause();
            }
            RedisFuture<String> future = pair.replica.async().get(key);
            future.whenComplete((value, error) -> completions.incrementAndGet());
            switch (scenario) {
                case "error-reply":
                    break;
                case "primary-lost":
                    awaitHeldReply(proxy, future);
                    proxy.close();
                    break;
                case "cancelled":
                    awaitHeldReply(proxy, future);
                    future.cancel(true);
                    proxy.resume();
                    break;
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
