package io.stateguard.agent.redisson;

import io.stateguard.agent.internal.InternalErrors;

/**
 * Redisson's dispatch of a command, in {@code CommandAsyncService.async} (and {@code CommandBatchService.async}):
 * the routing decision ({@link RedissonRouting}) and, for the version guard, the start of following the command
 * ({@link RedissonFollowing}). Fails open: an internal error leaves the command as Redisson would send it.
 */
public final class RedissonDispatch {

    private RedissonDispatch() {
    }

    /**
     * {@code async(readOnlyMode, source, codec, command, params, ignoreRedirect, noRetry)}.
     *
     * @return the {@code readOnlyMode} to use
     */
    public static boolean onAsync(boolean readOnlyMode, Object executor, Object source, Object codec, Object command,
            Object[] params) {
        boolean routed = readOnlyMode;
        try {
            routed = RedissonRouting.readOnlyMode(readOnlyMode, executor, source, command, params);
        } catch (Throwable t) {
            InternalErrors.record("routing.decide", t);
        }
        RedissonFollowing.onAsync(executor, source, codec, command, params); // fails open itself
        return routed;
    }
}
