/**
 * The version guard's decisions: whether a reply is older than the key's high-water mark
 * ({@link io.stateguard.agent.guard.VersionGuard}), what the regression is
 * ({@link io.stateguard.agent.guard.Regression}) and how it is reported
 * ({@link io.stateguard.agent.guard.Inconsistencies}, the log line of
 * {@link io.stateguard.agent.guard.LoggingReporter}). Knows no Redis client: keys and values are bytes; the
 * Lettuce side ({@code io.stateguard.agent.lettuce}) feeds it replies and applies the policy to the command.
 */
package io.stateguard.agent.guard;
