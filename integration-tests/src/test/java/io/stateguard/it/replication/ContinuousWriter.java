package io.stateguard.it.replication;

import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RespClient;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Another process's writes, from the test JVM: a thread writes {@code {"v":<n>}} (n growing) to the given
 * keys in turn, on a connection of its own to the primary, about one write a millisecond, until closed. Under the
 * harness's lag proxy this keeps the replica a steady 60 ms behind; without writes it would catch up.
 */
final class ContinuousWriter implements AutoCloseable {

    private final Thread thread;
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong longestGapNanos = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;

    private ContinuousWriter(RedisNode primary, List<String> keys) {
        thread = new Thread(() -> {
            try (RespClient client = primary.newClient()) {
                long n = 0;
                long last = System.nanoTime();
                while (running) {
                    for (String key : keys) {
                        client.call("SET", key, "{\"v\":" + (++n) + "}");
                        writes.incrementAndGet();
                        long now = System.nanoTime();
                        longestGapNanos.accumulateAndGet(now - last, Math::max);
                        last = now;
                    }
                    Thread.sleep(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "continuous-writer");
        thread.setDaemon(true);
    }

    /** Starts writing {@code keys} on {@code primary}. */
    static ContinuousWriter start(RedisNode primary, List<String> keys) {
        ContinuousWriter writer = new ContinuousWriter(primary, keys);
        writer.thread.start();
        return writer;
    }

    long writes() {
        return writes.get();
    }

    /**
     * The longest time between two writes so far, in milliseconds, and starts measuring again: a gap longer than
     * the replica's delay lets it catch up (a loaded machine can stall the writer).
     */
    long longestGapMillisAndReset() {
        return longestGapNanos.getAndSet(0) / 1_000_000;
    }

    /** Stops writing; fails if a write failed. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
        if (failure.get() != null) {
            throw new AssertionError("the continuous writer failed", failure.get());
        }
    }
}
