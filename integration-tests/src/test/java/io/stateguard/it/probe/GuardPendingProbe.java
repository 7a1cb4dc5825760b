package io.stateguard.it.probe;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.stateguard.harness.LagProxy;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A Lettuce application that makes the version guard remember many commands and ends them every way a
 * command can end, for the agent's leak check: with {@code log.level=debug} the agent logs at exit how
 * many commands still await their reply check. Run while the test holds the replica's replication
 * stream, so the application's reads of keys it wrote are re-read on the primary.
 *
 * <ul>
 *   <li>completed: 30 writes, 30 replica reads re-read on the primary (half sync, half async; the
 *       replica has no value, the primary the written one), 30 primary reads;</li>
 *   <li>failed: 20 reads answered with a {@code WRONGTYPE} error;</li>
 *   <li>cancelled and timed out: 10 replica reads whose replies are held (the application reaches the
 *       replica through a {@link LagProxy} of its own): 5 cancelled, 5 timed out (1 s command timeout),
 *       then the replies arrive;</li>
 *   <li>connection closed: 10 replica reads whose replies never arrive (the proxy closes the
 *       connection; they time out while Lettuce tries to reconnect).</li>
 * </ul>
 *
 * <p>Mode {@code hold} keeps every command's future until exit, so the agent's count is the commands
 * that never got a reply (which only the garbage collector can take from it, once the application lets
 * go of them); mode {@code release} lets go of all of them and waits until the collector has cleared
 * every one, so the count must be 0. Prints {@code probe.<outcome>=<count>} and {@code probe.collected}.
 *
 * <p>Arguments: {@code <hold|release> <primary host:port> <replica host:port> <keyPrefix>}; keys
 * {@code <keyPrefix>:state:<n>}, and two the test writes before holding replication: the hash
 * {@code <keyPrefix>:state:wrong} (a wrong type for GET) and {@code <keyPrefix>:state:stored}.
 */
public final class GuardPendingProbe {

    /** Every command's future, kept until exit in mode {@code hold}. */
    private static final List<Object> HELD = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        // The commands are made in a method of their own, so that no local variable of this frame keeps one.
        List<RedisFuture<?>> futures = workload(args);
        if (args[0].equals("hold")) {
            HELD.addAll(futures);
            System.out.println("probe.collected=none");
            return;
        }
        List<WeakReference<Object>> references = new ArrayList<>();
        for (Object future : futures) {
            references.add(new WeakReference<>(future));
        }
        futures.clear();
        boolean collected = awaitCollected(references);
        System.out.println("probe.collected=" + collected);
        if (!collected) {
            int left = 0;
            for (WeakReference<Object> reference : references) {
                left += reference.get() != null ? 1 : 0;
            }
            System.out.println("probe.uncollected=" + left + " of " + references.size()
                    + " (the last 10 are the closed connection's)");
        }
    }

    /** Runs every kind of command, prints how each ended, and returns their futures (commands). */
    private static List<RedisFuture<?>> workload(String[] args) throws Exception {
        String prefix = args[3];
        String[] replica = args[2].split(":");
        LagProxy proxy = LagProxy.start(replica[0], Integer.parseInt(replica[1]));
        List<RedisURI> nodes = ProbeConnections.nodes(args[1], proxy.host() + ":" + proxy.port());
        for (RedisURI uri : nodes) {
            uri.setTimeout(Duration.ofSeconds(1));
        }
        List<RedisFuture<?>> futures = new ArrayList<>();
        int completed = 0;
        int reread = 0;
        int failed = 0;
        int cancelled = 0;
        int timedOut = 0;
        int closed = 0;
        RedisClient client = RedisClient.create();
        try (ProbeConnections.Pair pair = ProbeConnections.primaryAndReplica(client, nodes)) {
            for (int i = 0; i < 30; i++) {
                String key = prefix + ":state:" + i;
                futures.add(await(pair.replica.async().set(key, "{\"state\":\"open\",\"version\":" + (7 + i) + "}")));
                // The replica has no value (replication is held): the guard re-reads it on the primary.
                String value;
                if (i % 2 == 0) {
                    value = pair.replica.sync().get(key);
                } else {
                    RedisFuture<String> read = await(pair.replica.async().get(key));
                    futures.add(read);
                    value = read.get();
                }
                reread += value != null ? 1 : 0;
                futures.add(await(pair.primary.async().get(key)));
                completed += 3;
            }
            for (int i = 0; i < 20; i++) {
                RedisFuture<String> wrong = pair.replica.async().get(prefix + ":state:wrong");
                futures.add(wrong);
                if (outcome(wrong).equals("io.lettuce.core.RedisCommandExecutionException")) {
                    failed++;
                }
            }

            // A value the replica has (the test wrote it before holding replication): its replies have a known size.
            String stored = prefix + ":state:stored";
            int length = pair.replica.sync().get(stored).length();
            long replyBytes = 1 + Integer.toString(length).length() + 2 + length + 2; // $<n>\r\n<value>\r\n
            proxy.pause();
            List<RedisFuture<String>> held = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                held.add(pair.replica.async().get(stored));
            }
            // Cancelled once written and answered: a command cancelled before Lettuce writes it never reaches
            // the connection (nor the reply check), and stays remembered until the application lets go of it.
            awaitPending(proxy, 10 * replyBytes);
            for (int i = 0; i < 5; i++) {
                held.get(i).cancel(true);
            }
            for (RedisFuture<String> future : held) {
                String outcome = outcome(future);
                cancelled += outcome.equals(CancellationException.class.getName()) ? 1 : 0;
                timedOut += outcome.equals("io.lettuce.core.RedisCommandTimeoutException") ? 1 : 0;
            }
            futures.addAll(held);
            proxy.resume();
            // The held replies are read in order before this one's.
            pair.replica.sync().get(prefix + ":state:none");

            proxy.pause();
            List<RedisFuture<String>> lost = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                lost.add(pair.replica.async().get(stored));
            }
            awaitPending(proxy, 10 * replyBytes);
            proxy.close();
            for (RedisFuture<String> future : lost) {
                closed += outcome(future).startsWith("io.lettuce.core.") ? 1 : 0;
            }
            futures.addAll(lost);
        } finally {
            proxy.close();
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
        System.out.println("probe.completed=" + completed);
        System.out.println("probe.reread=" + reread);
        System.out.println("probe.failed=" + failed);
        System.out.println("probe.cancelled=" + cancelled);
        System.out.println("probe.timedOut=" + timedOut);
        System.out.println("probe.closed=" + closed);
        return futures;
    }

    private static <T extends RedisFuture<?>> T await(T future) throws Exception {
        future.get(10, TimeUnit.SECONDS);
        return future;
    }

    /** The value's outcome: {@code ok}, or the type of the exception it completed with. */
    private static String outcome(RedisFuture<?> future) {
        try {
            future.get(30, TimeUnit.SECONDS);
            return "ok";
        } catch (CancellationException e) {
            return e.getClass().getName();
        } catch (ExecutionException e) {
            return e.getCause().getClass().getName();
        } catch (Exception e) {
            return e.getClass().getName();
        }
    }

    /** Waits until {@code bytes} of the replica's replies are held at the proxy. */
    private static void awaitPending(LagProxy proxy, long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (proxy.pendingBytes() < bytes) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the replica's replies did not reach the proxy: " + proxy.pendingBytes()
                        + " of " + bytes + " bytes");
            }
            Thread.sleep(5);
        }
    }

    /** Collects garbage until every referent is cleared; {@code true} when they all were within 30 s. */
    private static boolean awaitCollected(List<WeakReference<Object>> references) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            System.gc();
            boolean all = true;
            for (WeakReference<Object> reference : references) {
                all &= reference.get() == null;
            }
            if (all) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }
}
