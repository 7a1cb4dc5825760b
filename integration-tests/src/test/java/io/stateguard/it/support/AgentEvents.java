package io.stateguard.it.support;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version guard's events as the agent logs them, one line each:
 * {@code [stateguard] WARN inconsistency type=... action=... rule=... db=... key=... op=... expected=...
 * observed=... node=... role=...}. Tests compare whole events ({@link Event}), and how many, instead of
 * searching the log for a word.
 */
public final class AgentEvents {

    private static final String MARKER = "[stateguard] WARN inconsistency ";

    private static final Pattern LINE = Pattern.compile("\\[stateguard\\] WARN inconsistency type=(\\S+) action=(\\S+)"
            + " rule=(\\S+) db=(\\d+)(?: key=(\\S+))? op=(\\S+) expected=(-?\\d+) observed=(\\S+) node=(\\S+)"
            + " role=(\\S+)");

    private AgentEvents() {
    }

    /**
     * One inconsistency event.
     *
     * @param key      {@code null} when {@code telemetry.keys=none} leaves it out
     * @param observed the observed version, or {@code missing}
     * @param node     {@code host:port}, or {@code unknown}
     */
    public record Event(String type, String action, String rule, int db, String key, String op, long expected,
            String observed, String node, String role) {

        /** A {@code version_regression} of a {@code GET} on database 0. */
        public static Event versionRegression(String action, String rule, String key, long expected, long observed,
                String node, String role) {
            return new Event("version_regression", action, rule, 0, key, "GET", expected, String.valueOf(observed),
                    node, role);
        }
    }

    /** Every event in {@code output} (a process's standard error, or its lines joined), in order. */
    public static List<Event> in(String output) {
        return in(output.lines().toList());
    }

    /**
     * Every event in {@code lines}, in order.
     *
     * @throws AssertionError for an inconsistency line this parser does not understand: a changed format
     *     must fail the tests, not make them see no events
     */
    public static List<Event> in(Collection<String> lines) {
        List<Event> events = new ArrayList<>();
        for (String line : lines) {
            int at = line.indexOf(MARKER);
            if (at < 0) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.find(at)) {
                throw new AssertionError("an inconsistency line in an unknown format: " + line);
            }
            events.add(new Event(m.group(1), m.group(2), m.group(3), Integer.parseInt(m.group(4)), m.group(5),
                    m.group(6), Long.parseLong(m.group(7)), m.group(8), m.group(9), m.group(10)));
        }
        return events;
    }
}
