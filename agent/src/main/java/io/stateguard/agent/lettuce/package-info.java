/**
 * The Lettuce side of routing and of the version guard: reading a command's type, keys and
 * arguments through its codec ({@link io.stateguard.agent.lettuce.CommandKeys}), tracking pending commands and
 * their replies, re-reading on the primary and failing or completing the application's command
 * ({@link io.stateguard.agent.lettuce.LettuceGuard}).
 */
package io.stateguard.agent.lettuce;
