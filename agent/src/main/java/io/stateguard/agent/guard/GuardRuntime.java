package io.stateguard.agent.guard;

import io.stateguard.agent.config.RoutingMode;
import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.Clocks;
import io.stateguard.agent.replication.ReplicationMonitor;
import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.internal.WeakIdentityMap;
import io.stateguard.agent.keys.KeyMatcher;
import io.stateguard.agent.routing.PrimaryRouting;
import io.stateguard.agent.versions.VersionFailure;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The installed guard and the commands it follows. A client adapter asks {@link #current()} on
 * dispatch, classifies the command with its {@link #classifier()}, {@link #remember remembers} it,
 * and when the reply is decoded {@link #take takes} it back and hands the reply to the
 * {@link #policy()}. Pending commands are held weakly by identity (a "virtual field": retransformed
 * classes cannot get fields), so a command that never completes does not leak.
 */
public final class GuardRuntime {

    private static volatile GuardRuntime installed;

    private static final WeakIdentityMap<TrackedCommand> PENDING = new WeakIdentityMap<>();

    /** Set while an adapter dispatches the guard's own re-read, which must be neither tracked nor left on a replica. */
    private static final ThreadLocal<boolean[]> REREADING = new ThreadLocal<boolean[]>() {
        @Override
        protected boolean[] initialValue() {
            return new boolean[1];
        }
    };

    private static final AtomicBoolean EXIT_REPORT = new AtomicBoolean();

    /**
     * How often, at most, a topology's replication ID is read while marks are set: a mark can only be proven
     * lost once a read started after it has answered, so a failover within this time after a mark goes
     * unproven (reported as the present, never as a false loss). 100 ms: at most 10 cheap INFO commands a
     * second per topology, and only while the application reads or writes state keys.
     */
    static final long REPLICATION_ID_REFRESH_NANOS = 100_000_000L;

    /**
     * The guard's own re-reads in flight, weakly by identity: a client that writes one again on another
     * thread (a {@code MOVED}/{@code ASK} redirect) must still send it to the primary and not track it.
     */
    private static final WeakIdentityMap<Boolean> REREADS = new WeakIdentityMap<>();

    private final VersionGuard versionGuard;
    private final CommandClassifier classifier;
    private final RegressionPolicy policy;
    private final boolean[] checkedOnReplica;
    private final Runnable tooLarge;

    /** Replication IDs read through the replication monitor's connections, when it polls the topology. */
    private static final ReplicationIds.Source MONITORED_IDS = new ReplicationIds.Source() {
        @Override
        public boolean read(Object topology, final ReplicationIds.Callback done) {
            ReplicationMonitor monitor = ReplicationMonitor.current();
            return monitor != null && monitor.readPrimaryId(topology, new ReplicationMonitor.PrimaryIdCallback() {
                @Override
                public void done(String replicationId, String refusal) {
                    done.done(replicationId, refusal);
                }
            });
        }
    };

    private GuardRuntime(final VersionGuard versionGuard, KeyMatcher matcher) {
        this.versionGuard = versionGuard;
        this.classifier = new CommandClassifier(versionGuard, matcher);
        // While the replication monitor polls a topology, the proof reads the primary's ID on the monitor's own
        // connections; otherwise (no monitor, not polled yet, a Cluster) through the client adapters' sources.
        this.policy = new RegressionPolicy(versionGuard, new ReplicationIds(MONITORED_IDS,
                REPLICATION_ID_REFRESH_NANOS, Clocks.SYSTEM_NANOS));
        this.tooLarge = new Runnable() {
            @Override
            public void run() {
                versionGuard.skipped(VersionFailure.TOO_LARGE);
            }
        };
        this.checkedOnReplica = new boolean[versionGuard.rules().size()];
        for (int i = 0; i < checkedOnReplica.length; i++) {
            checkedOnReplica[i] = versionGuard.rules().get(i).routing() == RoutingMode.REPLICA_CHECKED;
        }
    }

    /** Activates the guard; before this call (and after {@link #uninstall}) {@link #current()} is {@code null}. */
    public static void install(VersionGuard versionGuard, KeyMatcher matcher) {
        installed = new GuardRuntime(versionGuard, matcher);
        reportPendingAtExit();
    }

    public static void uninstall() {
        installed = null;
    }

    /** The installed guard, or {@code null}. */
    public static GuardRuntime current() {
        return installed;
    }

    public VersionGuard versionGuard() {
        return versionGuard;
    }

    public CommandClassifier classifier() {
        return classifier;
    }

    public RegressionPolicy policy() {
        return policy;
    }

    /** Counts, when run, a reply value the adapter rejected over the size cap before copying it. */
    public Runnable tooLargeCounter() {
        return tooLarge;
    }

    /**
     * Follows {@code command} until its reply: called on the application's thread after
     * {@link CommandClassifier} found keys to track. Counts the reads of {@code replica-checked} rules,
     * which stay on the application's routing.
     */
    public void remember(Object command, TrackedCommand tracked) {
        PENDING.put(command, tracked);
        follow(tracked);
    }

    /**
     * For a client adapter that keeps its commands itself: counts a tracked command as {@link #remember} does (the
     * reads of {@code replica-checked} rules, which stay on the application's routing).
     */
    public void follow(TrackedCommand tracked) {
        if (tracked.kind.isRead()) {
            for (int rule : tracked.rules) {
                if (checkedOnReplica[rule]) {
                    PrimaryRouting.stats().incrementChecked(rule);
                }
            }
        }
    }

    /** The tracked form of {@code command}, removed from the pending commands; {@code null} if not tracked. */
    public static TrackedCommand take(Object command) {
        return PENDING.remove(command);
    }

    /** Whether no command awaits its reply check: the completion path stops at once. */
    public static boolean nothingPending() {
        return PENDING.isEmpty();
    }

    /** Commands awaiting their reply check (including collected ones not yet expunged); for tests. */
    public static int pendingCount() {
        return PENDING.size();
    }

    /** Remembers {@code command} as one of the guard's re-reads until {@link #rereadDone}. */
    public static void rereadStarted(Object command) {
        REREADS.put(command, Boolean.TRUE);
    }

    public static void rereadDone(Object command) {
        REREADS.remove(command);
    }

    /** Whether any re-read of the guard is in flight: when none is, no command needs {@link #isReread}. */
    public static boolean rereadsInFlight() {
        return !REREADS.isEmpty();
    }

    /** Whether {@code command} is one of the guard's re-reads in flight (cheap when none is). */
    public static boolean isReread(Object command) {
        return !REREADS.isEmpty() && REREADS.contains(command);
    }

    /** Whether the current thread is dispatching the guard's own re-read. */
    public static boolean isRereading() {
        return REREADING.get()[0];
    }

    /** Marks the current thread as dispatching a re-read until {@link #endReread()}; forces the primary. */
    public static void beginReread() {
        REREADING.get()[0] = true;
        PrimaryRouting.forcePrimary(true);
    }

    public static void endReread() {
        PrimaryRouting.forcePrimary(false);
        REREADING.get()[0] = false;
    }

    /**
     * With {@code log.level=debug}: at JVM exit, one line saying how many commands still await their
     * reply check, whose command object is still reachable. Commands are removed when their reply is
     * checked (also when they were cancelled or timed out before it came); those that never get one
     * (their connection closed first, or cancelled before the client wrote them) are only dropped when
     * the application lets go of them. A number that grows with the commands an application made, or
     * that is not 0 once it holds none, is a leak.
     */
    private static void reportPendingAtExit() {
        if (!AgentLog.isEnabled(AgentLog.Level.DEBUG) || !EXIT_REPORT.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() {
                @Override
                public void run() {
                    try {
                        AgentLog.debug("guard: " + PENDING.liveSize() + " commands pending a reply check at exit");
                    } catch (Throwable t) {
                        // nothing to fail open to at exit
                    }
                }
            }, "stateguard-pending-at-exit"));
        } catch (Throwable t) {
            InternalErrors.record("guard.exit-report", t);
        }
    }
}
