package io.stateguard.agent.replication;

import java.util.List;

/**
 * One topology of the application's client (a Master/Replica connection, a Cluster connection), as a client
 * adapter presents it to the {@link ReplicationMonitor}. It must hold the application's objects weakly: the
 * monitor holds it until {@link #inUse()} says no.
 */
public interface ClientTopology {

    /** Whether the application still uses the topology; {@code false} once its connection is closed or gone. */
    boolean inUse();

    /** The shards as the client sees them now (it follows failovers and topology refreshes). */
    List<ShardNodes> shards() throws Exception;

    /**
     * Sends {@code INFO replication} to {@code node} on a connection of the agent's own (opened on first use,
     * with the application's connection settings), without blocking; calls {@code answer} exactly once, on any
     * thread.
     */
    void info(Endpoint node, InfoAnswer answer);

    /** Closes the agent's connection to {@code node}, which the client no longer knows. */
    void forget(Endpoint node);

    /** Closes every connection of the agent's to this topology. */
    void close();

    /** A short description for the log, such as {@code Master/Replica 127.0.0.1:6379}. */
    String describe();

    /**
     * Called on the monitor's thread after each round that used the client there: drops what the client left in
     * that thread's thread locals (Netty's per-thread map), which would keep the application's class loader
     * reachable from the agent's thread after the application let go of its client.
     */
    default void releaseThread() {
    }

    /** The outcome of one {@link #info} call. */
    interface InfoAnswer {

        /** The node answered with {@code text}. */
        void answered(String text);

        /** The node refused the command with an error reply (an ACL's {@code NOPERM}): it will refuse again. */
        void refused(String error);

        /** The node could not be asked (not reachable, connection lost, timed out). */
        void failed(Throwable cause);
    }
}
