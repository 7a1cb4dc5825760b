package io.stateguard.it.support;

import io.stateguard.harness.RedisNode;

import java.util.Map;

/** How many times a node ran a command, from {@code INFO commandstats}: which node served the reads. */
public final class CommandStats {

    private CommandStats() {
    }

    /** Calls of {@code command} (lower case, such as {@code get}) on {@code node} so far. */
    public static long calls(RedisNode node, String command) {
        Map<String, String> stats = node.info("commandstats");
        String line = stats.get("cmdstat_" + command);
        if (line == null) {
            return 0;
        }
        for (String part : line.split(",")) {
            if (part.startsWith("calls=")) {
                return Long.parseLong(part.substring("calls=".length()));
            }
        }
        return 0;
    }
}
