package io.stateguard.agent.lettuce;

import io.stateguard.agent.internal.AgentLog;


/**
 * Creates {@code io.stateguard.agent.api.StaleStateException} instances that extend the
 * application's own Lettuce {@code RedisException}. Where that class is not available a plain
 * {@code RedisException} with the same message is used.
 */
final class StaleStates {

    static final String CLASS_NAME = "io.stateguard.agent.api.StaleStateException";

    /**
     * The exception type for a Lettuce {@code RedisException} class: the agent's
     * {@code StaleStateException} as defined beside that Lettuce (the installer injects it into each
     * class loader it instruments), else {@code RedisException} itself.
     */
    private static final ClassValue<Class<?>> TYPE = new ClassValue<Class<?>>() {
        @Override
        protected Class<?> computeValue(Class<?> redisException) {
            try {
                Class<?> injected = Class.forName(CLASS_NAME, false, redisException.getClassLoader());
                if (injected.getSuperclass() == redisException) {
                    return injected;
                }
            } catch (ClassNotFoundException | LinkageError e) {
                // fall through
            }
            AgentLog.once(AgentLog.Level.WARN, "stale-state-exception", "StaleStateException is not defined beside"
                    + " Lettuce; stale reads fail with a RedisException carrying the same message", null);
            return redisException;
        }
    };

    private StaleStates() {
    }

    static Throwable create(LettuceApi api, String message) throws ReflectiveOperationException {
        Class<?> type = TYPE.get(api.redisException);
        return (Throwable) type.getConstructor(String.class).newInstance(message);
    }
}
