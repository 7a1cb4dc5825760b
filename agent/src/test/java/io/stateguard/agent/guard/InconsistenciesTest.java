package io.stateguard.agent.guard;

import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.keys.KeyPrivacy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The counting and fan-out of reported inconsistencies, and the event's own fields. */
class InconsistenciesTest {

    @AfterEach
    void restoreTheDefaultReporter() {
        Inconsistencies.setReporter(new LoggingReporter(10));
    }

    private static Inconsistency event(String rule, InconsistencyType type, GuardAction action) {
        return new Inconsistency(rule, 3, "k:1".getBytes(StandardCharsets.UTF_8), "MGET", type, action, 9, true, 4,
                "10.0.0.2", 6381, true);
    }

    @Test
    void eachReportIsCountedByRuleTypeAndActionAndHandedToTheReporter() {
        List<Inconsistency> seen = new ArrayList<>();
        Inconsistencies.setReporter(seen::add);
        String rule = "counting-" + System.identityHashCode(this); // counts are per JVM: a rule of this test only
        Inconsistency first = event(rule, InconsistencyType.MISSING, GuardAction.FAILED);
        Inconsistencies.report(first);
        Inconsistencies.report(event(rule, InconsistencyType.MISSING, GuardAction.FAILED));
        Inconsistencies.report(event(rule, InconsistencyType.PRIMARY_REGRESSION, GuardAction.REREAD_PRIMARY));

        assertThat(Inconsistencies.count(rule, InconsistencyType.MISSING, GuardAction.FAILED)).isEqualTo(2);
        assertThat(Inconsistencies.count(rule, InconsistencyType.PRIMARY_REGRESSION, GuardAction.REREAD_PRIMARY))
                .isEqualTo(1);
        assertThat(Inconsistencies.count(rule, InconsistencyType.MISSING, GuardAction.REPORTED)).isZero();
        assertThat(Inconsistencies.count(rule, InconsistencyType.VERSION_REGRESSION, GuardAction.FAILED)).isZero();
        assertThat(Inconsistencies.snapshot())
                .containsEntry(List.of(rule, "missing", "failed"), 2L)
                .containsEntry(List.of(rule, "primary_regression", "reread_primary"), 1L)
                .doesNotContainKey(List.of(rule, "missing", "reported"));
        assertThat(seen).hasSize(3).first().isSameAs(first);
    }

    @Test
    void severalReportersAreCalledInOrderAndAFailingOneDoesNotStopTheOthers() {
        List<String> calls = new ArrayList<>();
        long errors = InternalErrors.count("guard.report");
        Inconsistencies.setReporters(i -> calls.add("first " + i.rule()), i -> {
            calls.add("failing");
            throw new IllegalStateException("reporter broke");
        }, i -> calls.add("third " + i.rule()));
        Inconsistencies.report(event("fan-out", InconsistencyType.VERSION_REGRESSION, GuardAction.REPORTED));
        assertThat(calls).containsExactly("first fan-out", "failing", "third fan-out");
        assertThat(InternalErrors.count("guard.report")).isEqualTo(errors + 1);
    }

    @Test
    void aReporterThatThrowsIsCountedAndNeverReachesTheCaller() {
        long errors = InternalErrors.count("guard.report");
        Inconsistencies.setReporter(i -> {
            throw new IllegalStateException("reporter broke");
        });
        String rule = "throwing-" + System.identityHashCode(this);
        Inconsistencies.report(event(rule, InconsistencyType.MISSING, GuardAction.REPORTED));
        assertThat(InternalErrors.count("guard.report")).isEqualTo(errors + 1);
        assertThat(Inconsistencies.count(rule, InconsistencyType.MISSING, GuardAction.REPORTED)).isEqualTo(1);
    }

    @Test
    void theEventKeepsWhatItWasGiven() {
        byte[] key = "k:1".getBytes(StandardCharsets.UTF_8);
        Object context = new Object();
        long before = System.currentTimeMillis();
        Inconsistency event = new Inconsistency("r", 3, key, "MGET", InconsistencyType.PRIMARY_REGRESSION,
                GuardAction.REREAD_PRIMARY, 9, true, 4, "10.0.0.2", 6381, true, context);
        long after = System.currentTimeMillis();
        key[0] = 'X'; // the event keeps its own copy
        assertThat(event.rule()).isEqualTo("r");
        assertThat(event.database()).isEqualTo(3);
        assertThat(event.key()).isEqualTo("k:1".getBytes(StandardCharsets.UTF_8));
        event.key()[0] = 'Y'; // and hands out copies
        assertThat(event.keyText()).isEqualTo("k:1");
        assertThat(event.operation()).isEqualTo("MGET");
        assertThat(event.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION);
        assertThat(event.action()).isEqualTo(GuardAction.REREAD_PRIMARY);
        assertThat(event.expectedVersion()).isEqualTo(9);
        assertThat(event.observedPresent()).isTrue();
        assertThat(event.observedVersion()).isEqualTo(4);
        assertThat(event.serverAddress()).isEqualTo("10.0.0.2");
        assertThat(event.serverPort()).isEqualTo(6381);
        assertThat(event.servedByPrimary()).isTrue();
        assertThat(event.context()).isSameAs(context);
        assertThat(event.detectedAtEpochNanos()).isBetween(before * 1_000_000L, after * 1_000_000L);
        assertThat(event.detectedAtEpochNanos() % 1_000_000L).as("millisecond precision").isZero();
        assertThat(event.toString()).isEqualTo("type=primary_regression action=reread_primary rule=r db=3 key=k:1"
                + " op=MGET expected=9 observed=4 node=10.0.0.2:6381 role=primary");
        assertThat(event.describe(KeyPrivacy.HASHED)).isEqualTo("type=primary_regression action=reread_primary"
                + " rule=r db=3 key=" + KeyPrivacy.hash("k:1".getBytes(StandardCharsets.UTF_8))
                + " op=MGET expected=9 observed=4 node=10.0.0.2:6381 role=primary");
        assertThat(new Inconsistency("r", 0, new byte[0], "GET", InconsistencyType.MISSING, GuardAction.REPORTED, 1,
                false, 0, "h", 1, false).context()).isNull();
    }

    @Test
    void keysThatAreNotUtf8AreEscapedByteByByte() {
        assertThat(Inconsistency.printable("caf\u00e9:1".getBytes(StandardCharsets.UTF_8))).isEqualTo("caf\u00e9:1");
        assertThat(Inconsistency.printable(new byte[] {'k', 0x1f, 0x20, 0x7e, 0x7f, (byte) 0xc3})).isEqualTo(
                "k\\x1f ~\\x7f\\xc3");
        assertThat(Inconsistency.printable(new byte[] {(byte) 0xff, 'a', 0x00})).isEqualTo("\\xffa\\x00");
        assertThat(Inconsistency.printable(new byte[0])).isEmpty();
    }

    @Test
    void labelsAreTheTelemetryValues() {
        assertThat(GuardAction.REREAD_PRIMARY.label()).isEqualTo("reread_primary");
        assertThat(GuardAction.FAILED.label()).isEqualTo("failed");
        assertThat(GuardAction.REPORTED.label()).isEqualTo("reported");
        assertThat(InconsistencyType.VERSION_REGRESSION.label()).isEqualTo("version_regression");
        assertThat(InconsistencyType.PRIMARY_REGRESSION.label()).isEqualTo("primary_regression");
        assertThat(InconsistencyType.MISSING.label()).isEqualTo("missing");
    }
}
