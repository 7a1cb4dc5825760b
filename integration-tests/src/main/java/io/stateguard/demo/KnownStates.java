package io.stateguard.demo;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one API client (the poller) has seen of each instance so far, from webhooks and from its own earlier
 * answers: the highest state version, and the highest version at which the instance was {@code open}.
 *
 * <p>A client that has seen version {@code v} must never again be told about an older one: such an answer is
 * the flapping users of replica-reading gateways report. Thread-safe; versions only ever grow here.
 */
public final class KnownStates {

    /** Version value meaning "nothing seen yet". */
    public static final long NONE = -1;

    private final Map<String, Instance> instances = new ConcurrentHashMap<>();

    /**
     * What the client knew about one instance at one moment.
     *
     * @param version     highest version seen, {@link #NONE} if none
     * @param openVersion highest version seen with state {@code open}, {@link #NONE} if never seen open
     */
    public record Known(long version, long openVersion) {
    }

    /** Records that {@code instance} was seen at {@code version}, {@code open} or not. */
    public void learn(String instance, long version, boolean open) {
        Instance known = instances.computeIfAbsent(instance, name -> new Instance());
        known.version.accumulateAndGet(version, Math::max);
        if (open) {
            known.openVersion.accumulateAndGet(version, Math::max);
        }
    }

    /** @return what is known about {@code instance} now */
    public Known snapshot(String instance) {
        Instance known = instances.get(instance);
        return known == null ? new Known(NONE, NONE) : new Known(known.version.get(), known.openVersion.get());
    }

    /**
     * Waits until every one of {@code names} has been seen {@code open}.
     *
     * @throws IllegalStateException on timeout, naming the instances never seen open
     */
    public void awaitAllOpen(Collection<String> names, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            var notYet = names.stream().filter(name -> snapshot(name).openVersion() == NONE).toList();
            if (notYet.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Within " + timeout.toMillis()
                        + " ms, these instances were never seen open: " + notYet + "; known: " + instances);
            }
            Thread.sleep(20);
        }
    }

    private static final class Instance {
        final AtomicLong version = new AtomicLong(NONE);
        final AtomicLong openVersion = new AtomicLong(NONE);

        @Override
        public String toString() {
            return "v" + version.get() + "/open v" + openVersion.get();
        }
    }
}
