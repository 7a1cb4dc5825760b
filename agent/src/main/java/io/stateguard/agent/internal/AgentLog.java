package io.stateguard.agent.internal;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's own logger: one line per event on standard error, prefixed {@code [stateguard]}.
 *
 * <p>The agent cannot use the application's logging framework (it may not exist yet when
 * {@code premain} runs, and initialising it early would change the application's behaviour), and
 * it must not bring its own. Standard error is what every JVM has and what operators read when
 * a {@code -javaagent} misbehaves.
 */
public final class AgentLog {

    /** Verbosity, ordered: a message is printed when its level is at or above the threshold. */
    public enum Level {
        DEBUG, INFO, WARN, ERROR, OFF;

        /**
         * Parses a level name, case-insensitively.
         *
         * @return the level, or {@code null} when the name is not a level.
         */
        public static Level parse(String name) {
            if (name == null) {
                return null;
            }
            String upper = name.trim().toUpperCase(Locale.ROOT);
            if (upper.equals("WARNING")) {
                return WARN;
            }
            for (Level level : values()) {
                if (level.name().equals(upper)) {
                    return level;
                }
            }
            return null;
        }
    }

    private static volatile Level threshold = Level.INFO;

    private static volatile PrintStream out = System.err;

    private static final Set<String> ONCE = ConcurrentHashMap.newKeySet();

    private AgentLog() {
    }

    public static void setThreshold(Level level) {
        threshold = level;
    }

    public static Level threshold() {
        return threshold;
    }

    /** Redirects output; used by tests only. */
    static void setOut(PrintStream stream) {
        out = stream;
    }

    public static boolean isEnabled(Level level) {
        return level.compareTo(threshold) >= 0 && level != Level.OFF;
    }

    public static void debug(String message) {
        log(Level.DEBUG, message, null);
    }

    public static void info(String message) {
        log(Level.INFO, message, null);
    }

    public static void warn(String message) {
        log(Level.WARN, message, null);
    }

    public static void error(String message) {
        log(Level.ERROR, message, null);
    }

    public static void error(String message, Throwable cause) {
        log(Level.ERROR, message, cause);
    }

    /**
     * Logs a message the first time {@code onceKey} is seen in this JVM, and never again. Used for
     * conditions that can recur on every command (internal errors, unsupported shapes), where a
     * line per occurrence would flood the application's log.
     *
     * @return {@code true} if this call logged.
     */
    public static boolean once(Level level, String onceKey, String message, Throwable cause) {
        if (!ONCE.add(onceKey)) {
            return false;
        }
        log(level, message, cause);
        return true;
    }

    private static void log(Level level, String message, Throwable cause) {
        if (!isEnabled(level)) {
            return;
        }
        StringBuilder line = new StringBuilder(message.length() + 32);
        line.append("[stateguard] ").append(level.name()).append(' ').append(message);
        if (cause != null) {
            line.append(" (").append(cause.getClass().getName());
            if (cause.getMessage() != null) {
                line.append(": ").append(cause.getMessage());
            }
            line.append(')');
        }
        PrintStream stream = out;
        stream.println(line);
        if (cause != null && isEnabled(Level.DEBUG)) {
            cause.printStackTrace(stream);
        }
    }
}
