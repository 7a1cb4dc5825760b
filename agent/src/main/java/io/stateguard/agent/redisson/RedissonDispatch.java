package io.stateguard.agent.redisson;

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
            Object[] params) throws Exception {
        boolean routed = RedissonRouting.readOnlyMode(readOnlyMode, executor, command, params);
        RedissonFollowing.onAsync(executor, source, codec, command, params);
        return routed;
    }
}
