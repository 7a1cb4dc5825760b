/**
 * The Redisson adapter: everything that knows Redisson, compiled against its oldest supported API and
 * defined beside the application's Redisson (listed as helper classes of the Redisson instrumentation
 * module). {@link io.stateguard.agent.redisson.RedissonDispatch} is called where Redisson decides whether a
 * command is a read (the {@code readOnlyMode} flag of {@code CommandAsyncService.async}; {@code evalAsync} goes to
 * {@link io.stateguard.agent.redisson.RedissonRouting} directly): routing, and the start of the version guard's
 * following of a command ({@link io.stateguard.agent.redisson.RedissonFollowing}), whose raw reply is read in
 * Redisson's decoder ({@link io.stateguard.agent.redisson.RedissonReply}) and judged before the application's
 * future completes ({@link io.stateguard.agent.redisson.RedissonCompletion}).
 * {@link io.stateguard.agent.redisson.RedissonKeys} and {@link io.stateguard.agent.redisson.RedissonArguments} read
 * a command's keys and arguments from its parameters; {@link io.stateguard.agent.redisson.RedissonReplicationIds}
 * reads the master's replication ID for the guard's proof of lost writes. The decisions themselves live in the
 * client-neutral {@code routing} and {@code guard} packages.
 */
package io.stateguard.agent.redisson;
