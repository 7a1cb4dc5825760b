/**
 * Types the application may see: {@link io.stateguard.agent.api.StaleStateException}, thrown into an
 * application's command by the {@code fail} policy. It is compiled into the agent jar but defined at run time
 * beside the application's own Lettuce (it extends Lettuce's {@code RedisException}), by the installer.
 */
package io.stateguard.agent.api;
