/**
 * The Redisson adapter: everything that knows Redisson, compiled against its oldest supported API and
 * defined beside the application's Redisson (listed as helper classes of the Redisson instrumentation
 * module). {@link io.stateguard.agent.redisson.RedissonRouting} is called where Redisson decides whether a
 * command is a read (the {@code readOnlyMode} flag of {@code CommandAsyncService.async} and
 * {@code evalAsync}); {@link io.stateguard.agent.redisson.RedissonKeys} reads a command's keys from its
 * parameters. The decision itself lives in the client-neutral {@code routing} package.
 */
package io.stateguard.agent.redisson;
