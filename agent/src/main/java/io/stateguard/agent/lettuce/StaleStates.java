package io.stateguard.agent.lettuce;

import io.lettuce.core.RedisException;
import io.stateguard.agent.api.StaleStateException;
import io.stateguard.agent.internal.AgentLog;

/**
 * Creates the exception a {@code fail} policy completes a command with: the agent's
 * {@link StaleStateException}, defined beside this Lettuce (the installer defines it in the class loader
 * that holds Lettuce as soon as that loader defines a class) so that it extends the application's own
 * {@code RedisException}. Where the copy this class links against is not that one (the agent jar's copy,
 * which extends {@code RuntimeException} where its class loader has no Lettuce), a plain
 * {@code RedisException} with the same message, said once.
 */
final class StaleStates {

    private StaleStates() {
    }

    static RedisException create(String message) {
        Object created;
        try {
            created = instantiate(message);
        } catch (LinkageError e) {
            created = null;
        }
        if (created instanceof RedisException) {
            return (RedisException) created;
        }
        AgentLog.once(AgentLog.Level.WARN, "stale-state-exception", "StaleStateException is not defined beside"
                + " Lettuce; stale reads fail with a RedisException carrying the same message", null);
        return new RedisException(message);
    }

    /**
     * Typed {@code Object} on purpose: the verifier then needs no assignability of the exception to
     * {@code RedisException}, which would fail this whole class where the fallback copy is the one linked.
     */
    private static Object instantiate(String message) {
        return new StaleStateException(message);
    }
}
