/**
 * Replication awareness, knowing no Redis client: what each node's {@code INFO replication} says
 * ({@link io.stateguard.agent.replication.ReplicationInfo}), each replica's lag in bytes and time derived from the
 * primary's offset timeline ({@link io.stateguard.agent.replication.ShardReplication}), published as immutable
 * {@link io.stateguard.agent.replication.ShardView}s for the routing decision, the acknowledgement times of this
 * process's writes ({@link io.stateguard.agent.replication.WriteAcks}), and the monitor that polls the nodes of
 * every topology the application uses on connections of its own
 * ({@link io.stateguard.agent.replication.ReplicationMonitor}; a client adapter supplies the nodes and the
 * connections through {@link io.stateguard.agent.replication.ClientTopology}).
 */
package io.stateguard.agent.replication;
