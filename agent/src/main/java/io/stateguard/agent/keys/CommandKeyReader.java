package io.stateguard.agent.keys;

/**
 * Reads the keys of one Redis client's command objects and matches them, for the client-neutral
 * routing and guard code: each client adapter (for Lettuce, {@code io.stateguard.agent.lettuce})
 * implements it with its client's types, and hands itself over together with the command.
 */
public interface CommandKeyReader {

    /**
     * The rule of the first key of {@code command}, in argument order, whose rule index is accepted.
     *
     * @param command one command object of the client (never {@code null}).
     * @param matcher the compiled key patterns.
     * @param accepted per rule index whether it counts; a key of another rule is skipped. Not modified.
     * @return the rule index, or -1 when no key of an accepted rule is found.
     * @throws Exception when the command cannot be read; the caller fails open.
     */
    int firstAcceptedRule(Object command, KeyMatcher matcher, boolean[] accepted) throws Exception;

    /**
     * The {@link KeyHash} of the command's only key, {@link KeyHash#MANY} when it names several keys, or
     * {@link KeyHash#NONE} when it names none. An adapter that cannot tell answers {@link KeyHash#MANY}, which is
     * the safe side (a read of several keys waits for replicas to apply every write of this process).
     *
     * @throws Exception when the command cannot be read; the caller fails open.
     */
    default long keyHash(Object command) throws Exception {
        return KeyHash.MANY;
    }

    /**
     * The {@link KeyHash} of every key the command writes (for a write of a causally routed key), or {@code null}
     * when the adapter cannot tell: then the write counts for every key.
     *
     * @throws Exception when the command cannot be read; the caller fails open.
     */
    default long[] writtenKeyHashes(Object command) throws Exception {
        return null;
    }
}
