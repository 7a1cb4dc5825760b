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
}
