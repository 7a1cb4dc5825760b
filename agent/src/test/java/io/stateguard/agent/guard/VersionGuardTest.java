package io.stateguard.agent.guard;

import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.keys.KeyPrivacy;
import io.stateguard.agent.versions.VersionFailure;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class VersionGuardTest {

    private final VersionGuard guard = new VersionGuard(ConfigLoader.load(
            "keys=s:*;version=json:/version;rule.h.keys=h:*;rule.h.version=hash:v;rule.plain.keys=p:*;rule.plain.version=none",
            new HashMap<>(), new Properties()).rules(), 1000, KeyPrivacy.FULL);

    private static byte[] key(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private static ByteBuffer json(long version) {
        return ByteBuffer.wrap(("{\"state\":\"open\",\"version\":" + version + "}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void onlyRulesWithAVersionSourceCheck() {
        assertThat(guard.checks(0)).isTrue();
        assertThat(guard.checks(1)).isTrue();
        assertThat(guard.checks(2)).isFalse();
        assertThat(guard.checks(-1)).isFalse();
    }

    @Test
    void newerAndEqualVersionsPassOlderOnesRegress() {
        assertThat(guard.check(0, 0, key("s:1"), json(7))).isNull();
        assertThat(guard.check(0, 0, key("s:1"), json(7))).isNull();
        assertThat(guard.check(0, 0, key("s:1"), json(8))).isNull();
        Regression regression = guard.check(0, 0, key("s:1"), json(6));
        assertThat(regression).isNotNull();
        assertThat(regression.type()).isEqualTo(InconsistencyType.VERSION_REGRESSION);
        assertThat(regression.expected()).isEqualTo(8);
        assertThat(regression.observed()).isEqualTo(6);
        assertThat(regression.rule().name()).isEqualTo("default");
        // the mark is not lowered by a regression
        assertThat(guard.check(0, 0, key("s:1"), json(7))).isNotNull();
    }

    @Test
    void databasesAreSeparate() {
        guard.check(0, 0, key("s:db"), json(9));
        assertThat(guard.check(0, 1, key("s:db"), json(1))).isNull();
    }

    @Test
    void nilIsMissingOnlyForAKeyWithAMark() {
        assertThat(guard.check(0, 0, key("s:never"), null)).isNull();
        guard.check(0, 0, key("s:seen"), json(3));
        Regression missing = guard.check(0, 0, key("s:seen"), null);
        assertThat(missing.type()).isEqualTo(InconsistencyType.MISSING);
        assertThat(missing.observedPresent()).isFalse();
        assertThat(missing.expected()).isEqualTo(3);
    }

    @Test
    void aWrittenValueBecomesTheMarkAPreviousValueOnlyRaisesIt() {
        guard.observeApplied(0, 0, key("s:w"), json(7), true);
        assertThat(guard.check(0, 0, key("s:w"), json(6))).isNotNull();
        guard.observeApplied(0, 0, key("s:w"), json(2), true); // the application starts again at 2
        assertThat(guard.marks().get(0, key("s:w"), 0, 3)).isEqualTo(2);
        assertThat(guard.check(0, 0, key("s:w"), json(2))).as("what the application wrote").isNull();
        guard.observeApplied(0, 0, key("s:w"), json(1), false); // a previous value below the mark
        assertThat(guard.marks().get(0, key("s:w"), 0, 3)).isEqualTo(2);
        guard.observeApplied(0, 0, key("s:w"), json(9), false); // a previous value above it
        assertThat(guard.marks().get(0, key("s:w"), 0, 3)).isEqualTo(9);
    }

    @Test
    void forgetAfterADeleteMakesNilFine() {
        guard.check(0, 0, key("s:d"), json(3));
        guard.forget(0, key("s:d"));
        assertThat(guard.check(0, 0, key("s:d"), null)).isNull();
    }

    @Test
    void primaryOlderThanTheMarkResetsIt() {
        guard.check(0, 0, key("s:p"), json(7));
        Regression replica = guard.check(0, 0, key("s:p"), json(5));
        Regression primary = guard.checkPrimary(replica, json(6));
        assertThat(primary.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION);
        assertThat(primary.expected()).isEqualTo(7);
        assertThat(primary.observed()).isEqualTo(6);
        // 6 is the truth now: no more reports for it
        assertThat(guard.check(0, 0, key("s:p"), json(6))).isNull();
    }

    @Test
    void primaryAtOrAboveTheMarkIsFine() {
        guard.check(0, 0, key("s:ok"), json(7));
        Regression replica = guard.check(0, 0, key("s:ok"), json(5));
        assertThat(guard.checkPrimary(replica, json(7))).isNull();
        assertThat(guard.checkPrimary(replica, json(9))).isNull();
        assertThat(guard.check(0, 0, key("s:ok"), json(8))).isNotNull();
    }

    @Test
    void primaryMissingRemovesTheMark() {
        guard.check(0, 0, key("s:gone"), json(4));
        Regression missing = guard.check(0, 0, key("s:gone"), null);
        Regression primary = guard.checkPrimary(missing, null);
        assertThat(primary.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION);
        assertThat(guard.check(0, 0, key("s:gone"), null)).isNull();
    }

    @Test
    void badValuesPassUncheckedAndAreCountedByReason() {
        guard.check(0, 0, key("s:bad"), json(5));
        long malformed = guard.unchecked(VersionFailure.MALFORMED_JSON);
        long numeric = guard.unchecked(VersionFailure.NOT_NUMERIC);
        assertThat(guard.check(0, 0, key("s:bad"), ByteBuffer.wrap("{\"version\":".getBytes(StandardCharsets.UTF_8))))
                .isNull();
        assertThat(guard.check(0, 0, key("s:bad"), ByteBuffer.wrap("{\"version\":1.5}".getBytes(StandardCharsets.UTF_8))))
                .isNull();
        assertThat(guard.check(0, 0, key("s:bad"), ByteBuffer.wrap(new byte[] {(byte) 0xff, 0, 1}))).isNull();
        assertThat(guard.check(0, 0, key("s:bad"), ByteBuffer.allocate(16 << 20))).isNull();
        assertThat(guard.unchecked(VersionFailure.MALFORMED_JSON)).isEqualTo(malformed + 1);
        assertThat(guard.unchecked(VersionFailure.BINARY)).isEqualTo(1);
        assertThat(guard.unchecked(VersionFailure.NOT_NUMERIC)).isEqualTo(numeric + 1);
        assertThat(guard.unchecked(VersionFailure.TOO_LARGE)).isEqualTo(1);
        assertThat(guard.check(0, 0, key("s:bad"), json(4)).expected()).as("the mark is untouched").isEqualTo(5);
    }

    @Test
    void hashRulesCheckTheVersionFieldsValue() {
        ByteBuffer seven = ByteBuffer.wrap("7".getBytes(StandardCharsets.UTF_8));
        ByteBuffer six = ByteBuffer.wrap("6".getBytes(StandardCharsets.UTF_8));
        assertThat(guard.check(1, 0, key("h:1"), seven)).isNull();
        assertThat(guard.check(1, 0, key("h:1"), six)).isNotNull();
    }

    private static ByteBuffer text(String value) {
        return ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aRegressionSaysWhichRuleDatabaseAndKey() {
        guard.check(1, 4, key("h:9"), text("12"));
        Regression regression = guard.check(1, 4, key("h:9"), text("11"));
        assertThat(regression.ruleIndex()).isEqualTo(1);
        assertThat(regression.rule().name()).isEqualTo("h");
        assertThat(regression.database()).isEqualTo(4);
        assertThat(regression.key()).isEqualTo(key("h:9"));
        assertThat(regression.type()).isEqualTo(InconsistencyType.VERSION_REGRESSION);
        assertThat(regression.expected()).isEqualTo(12);
        assertThat(regression.observedPresent()).isTrue();
        assertThat(regression.observed()).isEqualTo(11);
        Regression missing = guard.check(1, 4, key("h:9"), null);
        assertThat(missing.ruleIndex()).isEqualTo(1);
        assertThat(missing.database()).isEqualTo(4);
        assertThat(missing.type()).isEqualTo(InconsistencyType.MISSING);
        assertThat(missing.expected()).isEqualTo(12);
        assertThat(missing.observedPresent()).isFalse();
        assertThat(missing.observed()).isZero();
    }

    @Test
    void aNilForAKeyWhoseMarkIsTheLowestVersionIsStillMissing() {
        guard.check(0, 0, key("s:min"), json(Long.MIN_VALUE));
        Regression missing = guard.check(0, 0, key("s:min"), null);
        assertThat(missing.type()).isEqualTo(InconsistencyType.MISSING);
        assertThat(missing.expected()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void thePrimarysVersionIsJudgedAgainstTheMarkAndResetsItWhenOlder() {
        guard.check(0, 2, key("s:pa"), json(7));
        assertThat(guard.primaryAt(0, 2, key("s:pa"), 7)).isNull();
        assertThat(guard.primaryAt(0, 2, key("s:pa"), 9)).as("newer: the mark moves up").isNull();
        assertThat(guard.check(0, 2, key("s:pa"), json(8)).expected()).isEqualTo(9);

        Regression lost = guard.primaryAt(0, 2, key("s:pa"), 5);
        assertThat(lost.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION);
        assertThat(lost.ruleIndex()).isZero();
        assertThat(lost.database()).isEqualTo(2);
        assertThat(lost.key()).isEqualTo(key("s:pa"));
        assertThat(lost.expected()).isEqualTo(9);
        assertThat(lost.observedPresent()).isTrue();
        assertThat(lost.observed()).isEqualTo(5);
        // 5 is the truth now: equal passes, older regresses against 5
        assertThat(guard.check(0, 2, key("s:pa"), json(5))).isNull();
        assertThat(guard.check(0, 2, key("s:pa"), json(4)).expected()).isEqualTo(5);
        assertThat(guard.primaryAt(0, 2, key("s:new"), 1)).as("no mark yet").isNull();
        assertThat(guard.check(0, 2, key("s:new"), json(0)).expected()).isEqualTo(1);
    }

    @Test
    void aPrimaryValueThatCannotBeCheckedLeavesTheMarkAndIsCounted() {
        guard.check(0, 0, key("s:u"), json(7));
        Regression replica = guard.check(0, 0, key("s:u"), json(5));
        assertThat(guard.checkPrimary(replica, text("{\"version\":\"x\"}"))).isNull();
        assertThat(guard.unchecked(VersionFailure.NOT_NUMERIC)).isEqualTo(1);
        assertThat(guard.check(0, 0, key("s:u"), json(6)).expected()).isEqualTo(7);
    }

    @Test
    void aPrimaryMissingValueForAKeyWithoutAMarkIsNoRegression() {
        guard.check(0, 0, key("s:m"), json(3));
        Regression missing = guard.check(0, 0, key("s:m"), null);
        guard.forget(0, key("s:m")); // deleted meanwhile by the application
        assertThat(guard.checkPrimary(missing, null)).isNull();
    }

    @Test
    void aPrimaryMissingValueReportsTheMarkItRemoves() {
        guard.check(0, 5, key("s:pm"), json(4));
        Regression missing = guard.check(0, 5, key("s:pm"), null);
        Regression primary = guard.checkPrimary(missing, null);
        assertThat(primary.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION);
        assertThat(primary.expected()).isEqualTo(4);
        assertThat(primary.observedPresent()).isFalse();
        assertThat(primary.database()).isEqualTo(5);
        assertThat(primary.key()).isEqualTo(key("s:pm"));
        assertThat(guard.marks().contains(5, key("s:pm"), 0, 4)).isFalse();
    }

    @Test
    void writesThatCannotBeReadAreCountedAndLeaveTheMark() {
        guard.observeApplied(0, 0, key("s:bw"), json(5), true);
        guard.observeApplied(0, 0, key("s:bw"), text("{\"version\":1.5}"), true);
        guard.observeApplied(0, 0, key("s:bw"), null, true); // a null value: nothing to read, nothing counted
        assertThat(guard.unchecked(VersionFailure.NOT_NUMERIC)).isEqualTo(1);
        assertThat(guard.check(0, 0, key("s:bw"), json(4)).expected()).isEqualTo(5);
        guard.observeApplied(0, 0, key("s:nw"), null, true);
        assertThat(guard.marks().size()).isEqualTo(1);
    }

    @Test
    void aValueServedByThePrimaryIsReadWithTheRulesSource() {
        assertThat(guard.checkServedByPrimary(0, 0, key("s:p"), json(42))).isNull();
        Regression behind = guard.checkServedByPrimary(0, 0, key("s:p"), json(41));
        assertThat(behind.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION);
        assertThat(behind.expected()).isEqualTo(42);
        assertThat(guard.checkServedByPrimary(1, 0, key("h:p"), text("43"))).isNull();
        long before = guard.unchecked(VersionFailure.NOT_NUMERIC);
        assertThat(guard.checkServedByPrimary(1, 0, key("h:p"), text("nope"))).isNull();
        assertThat(guard.unchecked(VersionFailure.NOT_NUMERIC)).isEqualTo(before + 1);
        assertThat(guard.rules()).extracting(r -> r.name()).containsExactly("default", "h", "plain");
        assertThat(guard.marks().maxTrackedKeys()).isEqualTo(1000);
    }

    @Test
    void aRegressionBecomesTheEventToReport() {
        guard.check(0, 6, key("s:o"), json(9));
        Regression regression = guard.check(0, 6, key("s:o"), json(4));
        Object context = new Object();
        Inconsistency event = regression.outcome("GETEX", GuardAction.FAILED, "10.1.1.1", 6390, false, context);
        assertThat(event.toString()).isEqualTo("type=version_regression action=failed rule=default db=6 key=s:o"
                + " op=GETEX expected=9 observed=4 node=10.1.1.1:6390 role=replica");
        assertThat(event.context()).isSameAs(context);
        assertThat(event.observedPresent()).isTrue();
        assertThat(event.servedByPrimary()).isFalse();
        Inconsistency missing = guard.check(0, 6, key("s:o"), null).outcome("GET", GuardAction.REPORTED, null, -1, true,
                null);
        assertThat(missing.toString()).isEqualTo("type=missing action=reported rule=default db=6 key=s:o op=GET"
                + " expected=9 observed=missing node=unknown role=primary");
        assertThat(missing.observedPresent()).isFalse();
        assertThat(missing.servedByPrimary()).isTrue();
        assertThat(missing.context()).isNull();
    }

    @Test
    void racingObserversNeverLoseTheHighestVersion() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int offset = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int v = offset; v < 2000; v += threads) {
                        guard.check(0, 0, key("s:race"), json(v));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(guard.check(0, 0, key("s:race"), json(1998))).isNotNull();
        assertThat(guard.check(0, 0, key("s:race"), json(1999))).isNull();
    }

    /** The exception a {@code fail} policy throws shows the key as {@code stateguard.telemetry.keys} says. */
    @Test
    void failureMessagesShowTheKeyAsTheKeyPrivacySettingSays() {
        guard.observeApplied(0, 0, key("s:1"), ByteBuffer.wrap("{\"version\":7}".getBytes(StandardCharsets.UTF_8)), true);
        Regression regression = guard.check(0, 0, key("s:1"),
                ByteBuffer.wrap("{\"version\":6}".getBytes(StandardCharsets.UTF_8)));
        assertThat(regression.failureMessage("GET", KeyPrivacy.FULL))
                .isEqualTo("StateGuard: stale state for key 's:1' (rule default, GET): expected version >= 7, observed 6");
        assertThat(regression.failureMessage("GET", KeyPrivacy.HASHED))
                .isEqualTo("StateGuard: stale state for key '" + KeyPrivacy.hash(key("s:1"))
                        + "' (rule default, GET): expected version >= 7, observed 6")
                .doesNotContain("s:1");
        assertThat(regression.failureMessage("GET", KeyPrivacy.NONE))
                .isEqualTo("StateGuard: stale state for a key (rule default, GET): expected version >= 7, observed 6");
        Regression missing = guard.check(0, 0, key("s:1"), null);
        assertThat(missing.failureMessage("GET", KeyPrivacy.NONE))
                .isEqualTo("StateGuard: stale state for a key (rule default, GET): expected version >= 7, observed a missing value");
    }

    /** A key that is not UTF-8 text is shown escaped byte by byte, not with replacement characters. */
    @Test
    void failureMessagesEscapeBinaryKeys() {
        byte[] binary = {'s', ':', (byte) 0xFF};
        guard.observeApplied(0, 0, binary, ByteBuffer.wrap("{\"version\":7}".getBytes(StandardCharsets.UTF_8)), true);
        Regression regression = guard.check(0, 0, binary,
                ByteBuffer.wrap("{\"version\":6}".getBytes(StandardCharsets.UTF_8)));
        assertThat(regression.failureMessage("GET", KeyPrivacy.FULL))
                .isEqualTo("StateGuard: stale state for key 's:\\xff' (rule default, GET): expected version >= 7, observed 6");
        assertThat(guard.keyPrivacy()).isEqualTo(KeyPrivacy.FULL);
        assertThat(new VersionGuard(java.util.List.of(), 10, KeyPrivacy.HASHED).keyPrivacy()).isEqualTo(KeyPrivacy.HASHED);
    }
}
