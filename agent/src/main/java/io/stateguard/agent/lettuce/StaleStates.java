package io.stateguard.agent.lettuce;

import io.lettuce.core.RedisException;
import io.stateguard.agent.api.StaleStateException;
import io.stateguard.agent.internal.AgentLog;

/**
 * Creates the exception a {@code fail} policy completes a command with: the agent's
 * {@link StaleStateException}, defined beside this Lettuce (the installer injects it into each class
 * loader it instruments) so that it extends the application's own {@code RedisException}. Where it
 * cannot be linked, a plain {@code RedisException} with the same message.
 */
final class StaleStates {

    private StaleStates() {
    }

    static RedisException create(String message) {
        try {
            return new StaleStateException(message);
        } catch (LinkageError e) {
            AgentLog.once(AgentLog.Level.WARN, "stale-state-exception", "StaleStateException is not defined beside"
                    + " Lettuce; stale reads fail with a RedisException carrying the same message", null);
            return new RedisException(message);
        }
    }
}
