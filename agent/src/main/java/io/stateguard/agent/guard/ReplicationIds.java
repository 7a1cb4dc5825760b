package io.stateguard.agent.guard;

import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.internal.WeakIdentityMap;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Proof of lost writes: the replication ID ({@code master_replid}) of each topology's primary, read
 * over time. Redis gives a primary a new replication ID exactly when a failover promotes it or it
 * restarts without persistence, and never reuses one. So when the primary serves a value older than a
 * mark, writes were lost only if the primary's ID now differs from the ID it had after the mark was set.
 *
 * <h2>Sightings</h2>
 * Every read of a topology's ID gets a sequence number when it starts. A mark keeps, as its 15-bit
 * <em>sighting</em>, the sequence number of the first read started after the reply that set it arrived
 * ({@link #sighting}): that read and every later one reached Redis after the command behind the mark. A
 * proof ({@link Proof#changedSince}) takes the first of them that answered before the fresh read made
 * for the proof: different IDs prove that the history changed after the mark. Anything less (no read
 * answered between the two, the ID unknown) proves nothing, and the guard then treats the primary's
 * value as the present, never as a lost write. Reads are remembered as runs of equal IDs, so a mark of
 * any age can be judged.
 *
 * <p>A topology is the client's object the commands go through (for Lettuce, the Master/Replica channel
 * writer); a {@link Source} registered by the client adapter reads the ID of its current primary
 * asynchronously. IDs are read at most once per refresh interval per topology while marks are set,
 * and on demand for a proof. An ID that cannot be read (the client cannot route {@code INFO} to the
 * primary, an ACL denies it) stays unknown, with one warning. Thread-safe; never blocks.
 */
public final class ReplicationIds {

    /** A sighting that proves nothing (the topology is unknown). */
    public static final short NO_SIGHTING = 0;

    /** How long a topology whose primary refused {@code INFO} is not asked again. */
    static final long REFUSED_PAUSE_NANOS = 60_000_000_000L;

    /** Sightings are sequence numbers cut to 15 bits (a mark's tag keeps one more bit for itself). */
    static final int SIGHTING_BITS = 0x7FFF;

    /**
     * Reads the replication ID of the primary behind a topology; implemented by each client adapter and
     * registered with {@link #addSource}.
     */
    public interface Source {

        /**
         * Reads {@code master_replid} of the primary {@code topology} currently uses, without blocking,
         * and calls {@code done} once, on any thread.
         *
         * @return {@code false} (without calling {@code done}) when {@code topology} is not this source's
         *     client's
         */
        boolean read(Object topology, Callback done);
    }

    /** The answer of a {@link Source}. */
    public interface Callback {

        /**
         * @param replicationId the primary's {@code master_replid}, or {@code null} when it could not be read
         * @param failure why not, when Redis refused it (such as {@code NOPERM}); {@code null} when the
         *     read was only skipped (the connection was busy, for example in a transaction)
         */
        void done(String replicationId, String failure);
    }

    /** What a fresh read of the ID can prove. */
    public interface Proof {

        /** Whether the primary's history changed after a mark with this sighting was set. */
        boolean changedSince(short sighting);

        /** The sighting of a value seen before the fresh read started (for the mark it resets). */
        short sighting();
    }

    /** Receives the {@link Proof} of {@link #fresh}. */
    public interface ProofCallback {

        void done(Proof proof);
    }

    private static final Proof NOTHING = new Proof() {
        @Override
        public boolean changedSince(short sighting) {
            return false;
        }

        @Override
        public short sighting() {
            return NO_SIGHTING;
        }
    };

    /**
     * The adapters' sources, held weakly: a source lives in its client's class loader, which must be
     * free to go when the application is undeployed.
     */
    private static final List<WeakReference<Source>> SOURCES = new CopyOnWriteArrayList<>();

    private final Source source;
    private final long refreshNanos;
    private final LongSupplier nanos;

    private final WeakIdentityMap<Topology> topologies = new WeakIdentityMap<>();
    private final Map<String, Integer> numbers = new HashMap<>();

    /**
     * One-entry cache: {the topology object held weakly, its state}; the topology belongs to the
     * application's class loader, which must stay free to go. Racy by design: any published pair is a
     * correct pair.
     */
    private volatile Object[] last = {new WeakReference<>(null), null};

    /**
     * @param source read before the registered sources ({@code null} for none: tests pass one)
     * @param refreshNanos how old the newest read may get while marks are set before another starts
     */
    public ReplicationIds(Source source, long refreshNanos, LongSupplier nanos) {
        this.source = source;
        this.refreshNanos = refreshNanos;
        this.nanos = nanos;
    }

    /** Registers a client adapter's source (once per adapter class loader). */
    public static void addSource(Source source) {
        for (WeakReference<Source> each : SOURCES) {
            if (each.get() == source) {
                return;
            }
        }
        SOURCES.add(new WeakReference<>(source));
    }

    /**
     * The sighting to keep with a mark set now for {@code topology}; starts a read of the ID when none
     * started within the refresh interval. Cheap: called for every mark the guard sets.
     */
    public short sighting(Object topology) {
        if (topology == null) {
            return NO_SIGHTING;
        }
        Topology state = topology(topology);
        // The caller has its reply already: every read started from now on reaches Redis after the command
        // that set the mark, so the next sequence number is the first read that can vouch for the mark.
        int next = state.started.get() + 1;
        long now = nanos.getAsLong();
        if (now - state.startedAt >= refreshNanos && now - state.refusedUntil >= 0
                && state.reading.compareAndSet(false, true)) {
            read(topology, state, null);
        }
        return (short) (next & SIGHTING_BITS);
    }

    /**
     * Reads the ID of {@code topology}'s primary now and hands {@code done} what it proves
     * ({@link Proof#changedSince} is {@code false} for everything when the ID cannot be read).
     */
    public void fresh(Object topology, ProofCallback done) {
        if (topology == null) {
            done.done(NOTHING);
            return;
        }
        Topology state = topology(topology);
        if (nanos.getAsLong() - state.refusedUntil < 0) {
            done.done(NOTHING); // refused a moment ago: it proves nothing now either
            return;
        }
        synchronized (state) {
            if (state.waiting != null) {
                // A proof read is in flight, but it started before this caller's value was seen: wait for the next
                // one, which serves every caller queued meanwhile (after a failover, many keys need a proof at once).
                state.waiting.add(done);
                return;
            }
            state.waiting = new ArrayList<>();
        }
        freshFor(topology, state, Collections.singletonList(done));
    }

    /** One proof read for {@code callers}; then one for whoever queued meanwhile, until nobody did. */
    private void freshFor(final Object topology, final Topology state, final List<ProofCallback> callers) {
        read(topology, state, new ProofCallback() {
            @Override
            public void done(Proof proof) {
                for (ProofCallback caller : callers) {
                    try {
                        caller.done(proof);
                    } catch (Throwable t) {
                        InternalErrors.record("guard.replication-id", t);
                    }
                }
                List<ProofCallback> next;
                synchronized (state) {
                    next = state.waiting;
                    state.waiting = next == null || next.isEmpty() ? null : new ArrayList<ProofCallback>();
                }
                if (next != null && !next.isEmpty()) {
                    freshFor(topology, state, next);
                }
            }
        });
    }

    private Topology topology(Object topology) {
        Object[] cached = last;
        if (((WeakReference<?>) cached[0]).get() == topology) {
            return (Topology) cached[1];
        }
        Topology state;
        synchronized (topologies) {
            state = topologies.get(topology);
            if (state == null) {
                state = new Topology(nanos.getAsLong() - refreshNanos);
                topologies.put(topology, state);
            }
        }
        last = new Object[] {new WeakReference<>(topology), state};
        return state;
    }

    private void read(Object topology, final Topology state, final ProofCallback done) {
        state.startedAt = nanos.getAsLong();
        final int sequence = state.started.incrementAndGet();
        final AtomicBoolean once = new AtomicBoolean();
        Callback callback = new Callback() {
            @Override
            public void done(String replicationId, String failure) {
                if (!once.compareAndSet(false, true)) {
                    return;
                }
                int number = 0;
                try {
                    if (replicationId != null) {
                        number = number(replicationId);
                        state.answered(sequence, number);
                    } else if (failure != null) {
                        unreadable(failure);
                        // Redis will refuse again (an ACL): ask again only after a while, not 10 times a second,
                        // which would fill the server's ACL log.
                        state.refusedUntil = nanos.getAsLong() + REFUSED_PAUSE_NANOS;
                    }
                } catch (Throwable t) {
                    InternalErrors.record("guard.replication-id", t);
                } finally {
                    if (done == null) {
                        state.reading.set(false);
                    }
                }
                if (done != null) {
                    done.done(number == 0 ? NOTHING : state.proof(sequence, number));
                }
            }
        };
        boolean accepted;
        try {
            accepted = readThroughSources(topology, callback);
        } catch (Throwable t) {
            InternalErrors.record("guard.replication-id", t);
            accepted = false;
        }
        if (!accepted) {
            callback.done(null, null); // no client can read this topology's ID: it proves nothing
        }
    }

    /** Reads through the registered sources; the source given to the constructor (tests) comes first. */
    private boolean readThroughSources(Object topology, Callback done) {
        if (source != null && source.read(topology, done)) {
            return true;
        }
        for (WeakReference<Source> each : SOURCES) {
            Source registered = each.get();
            if (registered == null) {
                SOURCES.remove(each);
            } else if (registered.read(topology, done)) {
                return true;
            }
        }
        return false;
    }

    private static void unreadable(String failure) {
        AgentLog.once(AgentLog.Level.WARN, "guard.replication-id.refused", "cannot read the primary's replication ID"
                + " (INFO replication: " + failure + "): a lost write cannot be proven, so a primary below a key's mark"
                + " resets the mark (stateguard.marks.reset) and is never reported as primary_regression (logged once)",
                null);
    }

    /** A small number for {@code replicationId}, the same for the same ID (numbers are only compared). */
    private int number(String replicationId) {
        synchronized (numbers) {
            Integer known = numbers.get(replicationId);
            if (known == null) {
                known = numbers.size() + 1;
                numbers.put(replicationId, known);
            }
            return known;
        }
    }

    /**
     * The reads of one topology's ID, as runs: consecutive answered reads with the same ID, by sequence
     * number. Histories change rarely (a failover, a restart), so a few runs cover any time span.
     */
    private static final class Topology {

        /** Runs kept: a topology that failed over more often than this forgets the oldest (proofs get harder). */
        private static final int MAX_RUNS = 64;

        final AtomicInteger started = new AtomicInteger();
        volatile long startedAt;
        /** Until when (nanos) nothing is asked, after the primary refused {@code INFO}. */
        volatile long refusedUntil;
        /** Callers of {@link #fresh} waiting for the next proof read while one is in flight; guarded by this. */
        List<ProofCallback> waiting;
        final AtomicBoolean reading = new AtomicBoolean();
        /** Per run: {first sequence, last sequence, ID number}, oldest first. Guarded by this. */
        private final List<int[]> runs = new ArrayList<>();

        Topology(long startedAt) {
            this.startedAt = startedAt;
            this.refusedUntil = startedAt; // nanoTime may be negative: compared by difference, never with 0
        }

        synchronized void answered(int sequence, int number) {
            int[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && last[2] == number) {
                last[0] = Math.min(last[0], sequence);
                last[1] = Math.max(last[1], sequence);
                return;
            }
            if (runs.size() == MAX_RUNS) {
                runs.remove(0);
            }
            runs.add(new int[] {sequence, sequence, number});
        }

        /** The ID number of the first answered read at or after {@code sequence} (its run's), or 0. */
        synchronized int firstAnswerFrom(int sequence) {
            for (int[] run : runs) {
                if (run[1] - sequence >= 0) {
                    return run[2];
                }
            }
            return 0;
        }

        Proof proof(final int freshSequence, final int freshNumber) {
            return new Proof() {
                @Override
                public boolean changedSince(short sighting) {
                    int bits = sighting & SIGHTING_BITS;
                    if (bits == NO_SIGHTING) {
                        return false;
                    }
                    // The newest sequence number at or below the fresh read's that ends in these bits. A mark
                    // older than that (15 bits wrapped) is judged by a later read: a change seen after a later
                    // point is a change after the mark too, so this can only miss a proof, never make a false one.
                    int firstAfterMark = freshSequence - ((freshSequence - bits) & SIGHTING_BITS);
                    int number = firstAnswerFrom(firstAfterMark);
                    // A read with another ID cannot be the fresh one: it answered before it, after the mark.
                    return number != 0 && number != freshNumber;
                }

                @Override
                public short sighting() {
                    return (short) (freshSequence & SIGHTING_BITS); // the fresh read started after the value was seen
                }
            };
        }
    }
}
