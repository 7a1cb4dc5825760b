package io.stateguard.agent.api;

import io.lettuce.core.RedisException;

/**
 * Thrown into the application's command (sync call, future or publisher) when a state key's reply is
 * older than the newest version this process has seen and the rule's policy is
 * {@code on-regression=fail}.
 *
 * <p>The agent defines this class in the class loader of the application's Lettuce, so that it
 * extends that Lettuce's {@link RedisException}: code that handles Redis errors generically keeps
 * working, and code that wants to tell stale state apart can catch this type (with the agent jar as
 * a {@code provided} dependency) or check {@link #STALE_STATE_MARKER} in the message.
 */
public class StaleStateException extends RedisException {

    private static final long serialVersionUID = 1L;

    /** The text every message of this exception starts with. */
    public static final String STALE_STATE_MARKER = "StateGuard: stale state";

    public StaleStateException(String message) {
        super(message);
    }
}
