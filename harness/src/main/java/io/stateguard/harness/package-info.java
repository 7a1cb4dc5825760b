/**
 * Test harness: real {@code redis-server} processes on 127.0.0.1 for JUnit 5 tests, without Lettuce.
 *
 * <ul>
 *   <li>{@link io.stateguard.harness.RedisNode}: one process, its own temp directory, config and log.</li>
 *   <li>{@link io.stateguard.harness.PrimaryReplicaTopology}, {@link io.stateguard.harness.SentinelTopology},
 *       {@link io.stateguard.harness.ClusterTopology}: started by builders, converged before they are
 *       returned, stopped by {@code close()} (use try-with-resources).</li>
 *   <li>{@link io.stateguard.harness.LagProxy}: delays or holds a replication stream.</li>
 *   <li>{@link io.stateguard.harness.RespClient}: tiny RESP2 client used for admin commands.</li>
 * </ul>
 *
 * <p>Conventions: every wait polls a condition with a deadline and fails with a
 * {@link io.stateguard.harness.HarnessTimeoutException} whose message contains the last observed state and
 * the tails of the Redis logs. Processes never outlive the JVM: nodes are stopped by {@code close()}, and a
 * shutdown hook kills any that were not. The redis-server binary is chosen by
 * {@link io.stateguard.harness.RedisServerBinary}. System properties: {@code stateguard.redis-server},
 * {@code stateguard.harness.keep-logs}, {@code stateguard.harness.dir}.
 */
package io.stateguard.harness;
