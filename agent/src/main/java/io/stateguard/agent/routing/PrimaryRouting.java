package io.stateguard.agent.routing;

import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.keys.CommandKeyReader;

import java.util.Collection;

/**
 * Per-key primary routing, called from a client adapter's advice; knows no Redis client.
 *
 * <p>Clients decide where a command goes in two steps, both on the calling thread: a channel
 * writer computes a connection intent ({@code READ} or {@code WRITE}) from the command type, then
 * asks its connection provider for a connection with that intent; only {@code READ} consults the
 * application's read preference. The provider never sees the command, so the writer advice records
 * the command being dispatched ({@link #enter}, with the adapter's {@link CommandKeyReader}), and the
 * provider advice asks {@link #routeToPrimary} whether its {@code READ} should become a {@code WRITE},
 * which means "the primary" (Master/Replica) or "the slot's master" (Cluster). Writes never pay for
 * key matching: the keys are read only when a {@code READ} intent is asked about.
 *
 * <p>Every method fails open: on any internal error the intent stays what the client computed, the
 * error is counted and logged once.
 */
public final class PrimaryRouting {

    private static volatile RoutingPolicy policy;

    private static volatile RoutingStats stats = new RoutingStats(0);

    /** The command (or batch) the current thread is dispatching through an instrumented writer. */
    private static final ThreadLocal<Dispatch> CURRENT = new ThreadLocal<Dispatch>() {
        @Override
        protected Dispatch initialValue() {
            return new Dispatch();
        }
    };

    private PrimaryRouting() {
    }

    /** Activates routing with the given policy; before this call every entry point is a no-op. */
    public static void install(RoutingPolicy routingPolicy) {
        stats = new RoutingStats(routingPolicy.rules().size());
        policy = routingPolicy;
    }

    /** Deactivates routing (the agent's state before {@link #install}). */
    public static void uninstall() {
        policy = null;
    }

    public static RoutingStats stats() {
        return stats;
    }

    /**
     * Writer advice, on entry to the write of one command: remembers it for the provider call that
     * follows on this thread.
     */
    public static void enter(CommandKeyReader reader, Object command) {
        if (policy == null) {
            return;
        }
        Dispatch dispatch = CURRENT.get();
        dispatch.reader = reader;
        dispatch.command = command;
        dispatch.batch = null;
        dispatch.active = true;
        dispatch.toPrimary = false;
    }

    /**
     * Writer advice, on entry to the write of a command that must go to the primary whatever its keys:
     * the guard's own re-read, written again by the client (a {@code MOVED}/{@code ASK} redirect) on a
     * thread that is not inside the guard's dispatch of it.
     */
    public static void enterToPrimary(CommandKeyReader reader, Object command) {
        enter(reader, command);
        if (policy != null) {
            CURRENT.get().toPrimary = true;
        }
    }

    /** Writer advice, on entry to the write of a batch: remembers it. */
    public static void enterBatch(CommandKeyReader reader, Collection<?> commands) {
        if (policy == null) {
            return;
        }
        Dispatch dispatch = CURRENT.get();
        dispatch.reader = reader;
        dispatch.command = null;
        dispatch.batch = commands;
        dispatch.active = true;
        dispatch.toPrimary = false;
    }

    /** Writer advice, on exit from either write (also when it threw). */
    public static void exit() {
        if (policy == null) {
            return;
        }
        Dispatch dispatch = CURRENT.get();
        dispatch.active = false;
        dispatch.toPrimary = false;
        dispatch.reader = null;
        dispatch.command = null;
        dispatch.batch = null;
    }

    /**
     * Provider advice, for a {@code READ} intent: whether the command being dispatched on this thread
     * goes to the primary instead (it reads a key of a rule that routes there, or the guard is
     * re-reading). Counts the routed read.
     */
    public static boolean routeToPrimary() {
        RoutingPolicy current = policy;
        if (current == null) {
            return false;
        }
        try {
            Dispatch dispatch = CURRENT.get();
            if (dispatch.forcePrimary || dispatch.active && dispatch.toPrimary) {
                return true;
            }
            if (!dispatch.active || !current.routesAnything()) {
                return false;
            }
            int rule = dispatch.batch == null
                    ? dispatch.reader.firstAcceptedRule(dispatch.command, current.matcher(),
                            current.forcePrimaryByRule())
                    : firstAcceptedRule(dispatch.reader, dispatch.batch, current);
            if (rule < 0) {
                return false;
            }
            stats.increment(rule);
            return true;
        } catch (Throwable t) {
            InternalErrors.record("routing.decide", t);
            return false;
        }
    }

    /** A batch goes to the primary if any of its commands reads a key of a primary rule. */
    private static int firstAcceptedRule(CommandKeyReader reader, Collection<?> batch, RoutingPolicy current)
            throws Exception {
        for (Object command : batch) {
            if (command == null) {
                continue;
            }
            int rule = reader.firstAcceptedRule(command, current.matcher(), current.forcePrimaryByRule());
            if (rule >= 0) {
                return rule;
            }
        }
        return -1;
    }

    /**
     * Forces every read dispatched on this thread to the primary until called with {@code false};
     * used by the version guard's re-read.
     */
    public static void forcePrimary(boolean force) {
        CURRENT.get().forcePrimary = force;
    }

    /**
     * For clients that decide where a read goes in one call that sees the command (Redisson): whether
     * {@code command}, a read, goes to the primary instead (it reads a key of a rule that routes there, or
     * the guard is re-reading on this thread). Counts the routed read. Leaves the writer/provider state
     * of {@link #enter} alone. Fails open: {@code false} on any internal error.
     */
    public static boolean routesToPrimary(CommandKeyReader reader, Object command) {
        RoutingPolicy current = policy;
        if (current == null) {
            return false;
        }
        try {
            if (CURRENT.get().forcePrimary) {
                return true;
            }
            if (!current.routesAnything()) {
                return false;
            }
            int rule = reader.firstAcceptedRule(command, current.matcher(), current.forcePrimaryByRule());
            if (rule < 0) {
                return false;
            }
            stats.increment(rule);
            return true;
        } catch (Throwable t) {
            InternalErrors.record("routing.decide", t);
            return false;
        }
    }

    private static final class Dispatch {
        boolean forcePrimary;
        boolean active;
        /** The command being dispatched goes to the primary (see {@link #enterToPrimary}). */
        boolean toPrimary;
        CommandKeyReader reader;
        Object command;
        Collection<?> batch;
    }
}
