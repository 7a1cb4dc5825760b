package io.stateguard.it.support;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent's inconsistency log lines, parsed into records so that a test can compare the complete
 * list of events a run reported: a duplicate, a missing event, a wrong key, version, action or node
 * all fail the comparison. The format is the one the README documents:
 *
 * <pre>
 * [stateguard] WARN inconsistency type=version_regression action=reread_primary rule=default db=0 key=k op=GET expected=7 observed=6 node=127.0.0.1:6380 role=replica
 * </pre>
 *
 * The agent logs at most 10 such lines a second and says so on the next line when it dropped some;
 * {@link #parse} fails on such a line, since the list would then be incomplete.
 */
public final class InconsistencyEvents {

    private static final String MARKER = "[stateguard] WARN inconsistency ";

    private static final Pattern LINE = Pattern.compile("\\[stateguard] WARN inconsistency type=(\\S+) action=(\\S+)"
            + " rule=(\\S+) db=(\\d+)(?: key=(\\S+))? op=(\\S+) expected=(-?\\d+|deleted) observed=(\\S+) node=(\\S+)"
            + " role=(primary|replica)(.*)$");

    /** {@link Event#expected()} of a {@code deleted_value}: the log says {@code expected=deleted}. */
    public static final long DELETED = Long.MIN_VALUE;

    private InconsistencyEvents() {
    }

    /** One reported inconsistency, every field of its log line. */
    public record Event(String type, String action, String rule, int db, String key, String op, long expected,
            String observed, String node, String role) {

        /** A {@code version_regression} of a {@code GET} on database 0. */
        public static Event versionRegression(String action, String rule, String key, long expected, long observed,
                String node, String role) {
            return new Event("version_regression", action, rule, 0, key, "GET", expected, String.valueOf(observed),
                    node, role);
        }

        @Override
        public String toString() {
            return "type=" + type + " action=" + action + " rule=" + rule + " db=" + db + " key=" + key + " op=" + op
                    + " expected=" + (expected == DELETED ? "deleted" : String.valueOf(expected)) + " observed=" + observed
                    + " node=" + node + " role=" + role;
        }
    }

    /**
     * Every inconsistency line of {@code output} (a process's standard error; lines may carry a prefix of the
     * process that relayed them), in order.
     *
     * @throws AssertionError for an inconsistency line this parser does not understand (a changed format must fail
     *     the tests, not make them see no events), and when the agent dropped lines over its rate limit (the list
     *     would be incomplete)
     */
    public static List<Event> parse(String output) {
        return parse(output.lines().toList());
    }

    /** {@link #parse(String)} of lines. */
    public static List<Event> parse(Collection<String> lines) {
        List<Event> events = new ArrayList<>();
        for (String line : lines) {
            int at = line.indexOf(MARKER);
            if (at < 0) {
                continue;
            }
            Matcher matcher = LINE.matcher(line.substring(at));
            assertThat(matcher.matches()).as("not an inconsistency line of the documented format: " + line).isTrue();
            assertThat(matcher.group(11)).as("the agent dropped lines over its rate limit, the list is incomplete: "
                    + line).isEmpty();
            events.add(new Event(matcher.group(1), matcher.group(2), matcher.group(3),
                    Integer.parseInt(matcher.group(4)), matcher.group(5), matcher.group(6),
                    matcher.group(7).equals("deleted") ? DELETED : Long.parseLong(matcher.group(7)), matcher.group(8),
                    matcher.group(9), matcher.group(10)));
        }
        return events;
    }

    /** Asserts that {@code stderr} reports exactly {@code expected}, each as many times as listed, in any order. */
    public static void assertExactly(String stderr, List<Event> expected) {
        List<Event> actual = parse(stderr);
        assertThat(actual).as("inconsistencies reported by the agent (stderr:%n%s)", stderr)
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Asserts that {@code stderr} reports exactly {@code expected}, in this order. */
    public static void assertExactlyInOrder(String stderr, List<Event> expected) {
        List<Event> actual = parse(stderr);
        assertThat(actual).as("inconsistencies reported by the agent, in order (stderr:%n%s)", stderr)
                .containsExactlyElementsOf(expected);
    }

    /** Builds expected events for one run: the node of replica-served events is given once. */
    public static final class Expected {

        private final String replicaNode;
        private final List<Event> events = new ArrayList<>();

        private Expected(String replicaNode) {
            this.replicaNode = replicaNode;
        }

        /** Expected events whose replica-served ones came from {@code replicaNode} ({@code host:port}). */
        public static Expected servedBy(String replicaNode) {
            return new Expected(replicaNode);
        }

        /** A {@code version_regression} served by the replica. */
        public Expected regression(String action, String rule, int db, String key, String op, long expected,
                long observed) {
            return add(new Event("version_regression", action, rule, db, key, op, expected, Long.toString(observed),
                    replicaNode, "replica"));
        }

        /** A {@code missing} (nil) reply served by the replica. */
        public Expected missing(String action, String rule, int db, String key, String op, long expected) {
            return add(new Event("missing", action, rule, db, key, op, expected, "missing", replicaNode, "replica"));
        }

        /**
         * A {@code deleted_value} served by the replica: a value of a key the application deleted, which the
         * primary no longer has.
         */
        public Expected deletedValue(String action, String rule, int db, String key, String op, long observed) {
            return add(new Event("deleted_value", action, rule, db, key, op, DELETED, Long.toString(observed),
                    replicaNode, "replica"));
        }

        /**
         * A {@code primary_regression} (a lost write proven by the primary's replication ID) found by a
         * re-read: reported, node unknown, role primary.
         */
        public Expected primaryRegression(String rule, int db, String key, String op, long expected, String observed) {
            return add(new Event("primary_regression", "reported", rule, db, key, op, expected, observed,
                    "unknown", "primary"));
        }

        /** Any event, as it is. */
        public Expected add(Event event) {
            events.add(event);
            return this;
        }

        /** Adds what {@code events} adds, {@code times} times (one per API the probe used, for example). */
        public Expected repeat(int times, Consumer<Expected> events) {
            for (int i = 0; i < times; i++) {
                events.accept(this);
            }
            return this;
        }

        public List<Event> list() {
            return List.copyOf(events);
        }
    }
}
