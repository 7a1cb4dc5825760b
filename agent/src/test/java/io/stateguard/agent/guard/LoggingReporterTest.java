package io.stateguard.agent.guard;

import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.AgentLogCapture;
import io.stateguard.agent.keys.KeyPrivacy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class LoggingReporterTest {

    private static Inconsistency event(int i) {
        return new Inconsistency("state", 0, ("k:" + i).getBytes(StandardCharsets.UTF_8), "GET",
                InconsistencyType.VERSION_REGRESSION, GuardAction.REREAD_PRIMARY, 7, true, 6, "127.0.0.1", 6380, false);
    }

    private static String line(int i) {
        return "[stateguard] WARN inconsistency type=version_regression action=reread_primary rule=state db=0 key=k:"
                + i + " op=GET expected=7 observed=6 node=127.0.0.1:6380 role=replica";
    }

    @Test
    void oneStructuredLinePerEventUpToTheRateLimit() {
        AtomicLong nanos = new AtomicLong(5_000_000_000L); // a clock of the test: the second is chosen, not raced
        List<String> lines = AgentLogCapture.capture(() -> {
            LoggingReporter reporter = new LoggingReporter(3, KeyPrivacy.FULL, nanos::get);
            for (int i = 0; i < 10; i++) {
                reporter.report(event(i));
            }
            nanos.addAndGet(999_999_999L); // still 5.999... s: the same second
            reporter.report(event(10));
            nanos.addAndGet(1L); // 6 s: a new second
            reporter.report(event(11));
            reporter.report(event(12));
            reporter.report(event(13));
            reporter.report(event(14)); // over again
            nanos.addAndGet(3_000_000_000L); // 9 s, seconds later: the limit applies per second
            reporter.report(event(15));
        });
        assertThat(lines).containsExactly(
                line(0),
                line(1),
                line(2),
                line(11) + " (8 more not logged: over 3 lines/s)",
                line(12),
                line(13),
                line(15) + " (1 more not logged: over 3 lines/s)");
    }

    @Test
    void theLimitIsTheConfiguredNumber() {
        AtomicLong nanos = new AtomicLong();
        List<String> lines = AgentLogCapture.capture(() -> {
            LoggingReporter reporter = new LoggingReporter(1, KeyPrivacy.FULL, nanos::get);
            reporter.report(event(0));
            reporter.report(event(1));
        });
        assertThat(lines).containsExactly(line(0));
    }

    @Test
    void nothingIsPrintedWhenWarningsAreOff() {
        AgentLog.Level before = AgentLog.threshold();
        AgentLog.setThreshold(AgentLog.Level.ERROR);
        try {
            List<String> lines = AgentLogCapture.capture(() -> new LoggingReporter(3).report(event(0)));
            assertThat(lines).isEmpty();
        } finally {
            AgentLog.setThreshold(before);
        }
    }

    @Test
    void theLineFollowsTheTelemetryKeyPrivacy() {
        Inconsistency event = event(1);
        assertThat(event.describe(KeyPrivacy.HASHED)).contains(" key=" + KeyPrivacy.hash("k:1".getBytes(StandardCharsets.UTF_8)))
                .doesNotContain("k:1");
        assertThat(event.describe(KeyPrivacy.NONE)).doesNotContain("key=").doesNotContain("k:1")
                .contains("rule=state db=0 op=GET");
        List<String> lines = AgentLogCapture.capture(() -> new LoggingReporter(3, KeyPrivacy.NONE).report(event));
        assertThat(lines).containsExactly("[stateguard] WARN inconsistency type=version_regression"
                + " action=reread_primary rule=state db=0 op=GET expected=7 observed=6 node=127.0.0.1:6380 role=replica");
    }

    @Test
    void binaryKeysArePrintable() {
        Inconsistency binary = new Inconsistency("r", 0, new byte[] {'a', (byte) 0xff, 'b'}, "GET",
                InconsistencyType.MISSING, GuardAction.REPORTED, 1, false, 0, null, -1, true);
        assertThat(binary.keyText()).isEqualTo("a\\xffb");
        assertThat(binary.toString()).isEqualTo("type=missing action=reported rule=r db=0 key=a\\xffb op=GET"
                + " expected=1 observed=missing node=unknown role=primary");
    }

    /** Without a clock given, a reporter reads seconds from System.nanoTime (its default clock reads it now). */
    @Test
    void theDefaultClockIsSystemNanoTime() throws Exception {
        java.util.function.LongSupplier clock = io.stateguard.agent.internal.Clocks.SYSTEM_NANOS;
        java.lang.reflect.Field used = LoggingReporter.class.getDeclaredField("nanoClock");
        used.setAccessible(true);
        assertThat(used.get(new LoggingReporter(3, KeyPrivacy.FULL))).isSameAs(clock);

        long before = System.nanoTime();
        long read = clock.getAsLong();
        long after = System.nanoTime();
        assertThat(read).isBetween(before, after);
    }
}
