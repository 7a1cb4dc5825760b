package io.stateguard.agent.guard;

import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.keys.KeyPrivacy;
import io.stateguard.agent.versions.HighWaterMarks;
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

    /** The sighting the tests keep with marks (its value only matters to proofs, tested in ReplicationIdsTest). */
    private static final short S = 1;

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
        assertThat(guard.check(0, 0, key("s:1"), json(7), S)).isNull();
        assertThat(guard.check(0, 0, key("s:1"), json(7), S)).isNull();
        assertThat(guard.check(0, 0, key("s:1"), json(8), S)).isNull();
        Regression regression = guard.check(0, 0, key("s:1"), json(6), S);
        assertThat(regression).isNotNull();
        assertThat(regression.type()).isEqualTo(InconsistencyType.VERSION_REGRESSION);
        assertThat(regression.expected()).isEqualTo(8);
        assertThat(regression.observed()).isEqualTo(6);
        assertThat(regression.rule().name()).isEqualTo("default");
        // the mark is not lowered by a regression
        assertThat(guard.check(0, 0, key("s:1"), json(7), S)).isNotNull();
    }

    @Test
    void databasesAreSeparate() {
        guard.check(0, 0, key("s:db"), json(9), S);
        assertThat(guard.check(0, 1, key("s:db"), json(1), S)).isNull();
    }

    @Test
    void nilIsMissingOnlyForAKeyWithAMark() {
        assertThat(guard.check(0, 0, key("s:never"), null, S)).isNull();
        guard.check(0, 0, key("s:seen"), json(3), S);
        Regression missing = guard.check(0, 0, key("s:seen"), null, S);
        assertThat(missing.type()).isEqualTo(InconsistencyType.MISSING);
        assertThat(missing.observedPresent()).isFalse();
        assertThat(missing.expected()).isEqualTo(3);
    }

    @Test
    void writtenAndPreviousValuesRaiseTheMarkToTheHighestAppliedVersion() {
        guard.observeApplied(0, 0, key("s:w"), json(7), true, S);
        assertThat(guard.check(0, 0, key("s:w"), json(6), S)).isNotNull();
        guard.observeApplied(0, 0, key("s:w"), json(2), true, S); // applied before the 7, replied after it
        assertThat(guard.marks().get(0, key("s:w"), 0, 3)).isEqualTo(7);
        guard.observeApplied(0, 0, key("s:w"), json(1), false, S); // a previous value below the mark
        assertThat(guard.marks().get(0, key("s:w"), 0, 3)).isEqualTo(7);
        guard.observeApplied(0, 0, key("s:w"), json(9), false, S); // a previous value above it
        assertThat(guard.marks().get(0, key("s:w"), 0, 3)).isEqualTo(9);
        guard.deleted(0, key("s:w"), S);
        guard.observeApplied(0, 0, key("s:w"), json(2), true, S); // written again after the delete
        assertThat(guard.marks().get(0, key("s:w"), 0, 3)).isEqualTo(2);
        assertThat(guard.check(0, 0, key("s:w"), json(2), S)).as("a value again, not a deleted one").isNull();
    }

    @Test
    void badValuesPassUncheckedAndAreCountedByReason() {
        guard.check(0, 0, key("s:bad"), json(5), S);
        long malformed = guard.unchecked(VersionFailure.MALFORMED_JSON);
        long numeric = guard.unchecked(VersionFailure.NOT_NUMERIC);
        assertThat(guard.check(0, 0, key("s:bad"), ByteBuffer.wrap("{\"version\":".getBytes(StandardCharsets.UTF_8)), S))
                .isNull();
        assertThat(guard.check(0, 0, key("s:bad"), ByteBuffer.wrap("{\"version\":1.5}".getBytes(StandardCharsets.UTF_8)), S))
                .isNull();
        assertThat(guard.check(0, 0, key("s:bad"), ByteBuffer.wrap(new byte[] {(byte) 0xff, 0, 1}), S)).isNull();
        assertThat(guard.check(0, 0, key("s:bad"), ByteBuffer.allocate(16 << 20), S)).isNull();
        assertThat(guard.unchecked(VersionFailure.MALFORMED_JSON)).isEqualTo(malformed + 1);
        assertThat(guard.unchecked(VersionFailure.BINARY)).isEqualTo(1);
        assertThat(guard.unchecked(VersionFailure.NOT_NUMERIC)).isEqualTo(numeric + 1);
        assertThat(guard.unchecked(VersionFailure.TOO_LARGE)).isEqualTo(1);
        assertThat(guard.check(0, 0, key("s:bad"), json(4), S).expected()).as("the mark is untouched").isEqualTo(5);
    }

    @Test
    void hashRulesCheckTheVersionFieldsValue() {
        ByteBuffer seven = ByteBuffer.wrap("7".getBytes(StandardCharsets.UTF_8));
        ByteBuffer six = ByteBuffer.wrap("6".getBytes(StandardCharsets.UTF_8));
        assertThat(guard.check(1, 0, key("h:1"), seven, S)).isNull();
        assertThat(guard.check(1, 0, key("h:1"), six, S)).isNotNull();
    }

    private static ByteBuffer text(String value) {
        return ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aRegressionSaysWhichRuleDatabaseAndKey() {
        guard.check(1, 4, key("h:9"), text("12"), S);
        Regression regression = guard.check(1, 4, key("h:9"), text("11"), S);
        assertThat(regression.ruleIndex()).isEqualTo(1);
        assertThat(regression.rule().name()).isEqualTo("h");
        assertThat(regression.database()).isEqualTo(4);
        assertThat(regression.key()).isEqualTo(key("h:9"));
        assertThat(regression.type()).isEqualTo(InconsistencyType.VERSION_REGRESSION);
        assertThat(regression.expected()).isEqualTo(12);
        assertThat(regression.observedPresent()).isTrue();
        assertThat(regression.observed()).isEqualTo(11);
        Regression missing = guard.check(1, 4, key("h:9"), null, S);
        assertThat(missing.ruleIndex()).isEqualTo(1);
        assertThat(missing.database()).isEqualTo(4);
        assertThat(missing.type()).isEqualTo(InconsistencyType.MISSING);
        assertThat(missing.expected()).isEqualTo(12);
        assertThat(missing.observedPresent()).isFalse();
        assertThat(missing.observed()).isZero();
    }

    @Test
    void aMarkAtTheLowestVersionProtectsNothing() {
        guard.check(0, 0, key("s:min"), json(Long.MIN_VALUE), S);
        assertThat(guard.check(0, 0, key("s:min"), null, S)).as("it reads as no mark").isNull();
    }

    /** A proof with a fixed answer, and the sighting a reset mark gets. */
    private static ReplicationIds.Proof proof(boolean changed) {
        return new ReplicationIds.Proof() {
            @Override
            public boolean changedSince(short sighting) {
                return changed;
            }

            @Override
            public short sighting() {
                return S;
            }
        };
    }

    @Test
    void thePrimarysValueAtOrAboveTheMarkRaisesItBelowItIsACandidateThatLeavesTheMark() {
        guard.check(0, 2, key("s:pa"), json(7), S);
        assertThat(guard.checkPrimary(0, 2, key("s:pa"), json(7), S)).isNull();
        assertThat(guard.checkPrimary(0, 2, key("s:pa"), json(9), S)).as("newer: the mark moves up").isNull();
        assertThat(guard.check(0, 2, key("s:pa"), json(8), S).expected()).isEqualTo(9);

        Regression candidate = guard.checkPrimary(0, 2, key("s:pa"), json(5), S);
        assertThat(candidate.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION);
        assertThat(candidate.ruleIndex()).isZero();
        assertThat(candidate.database()).isEqualTo(2);
        assertThat(candidate.key()).isEqualTo(key("s:pa"));
        assertThat(candidate.expected()).isEqualTo(9);
        assertThat(candidate.observedPresent()).isTrue();
        assertThat(candidate.observed()).isEqualTo(5);
        assertThat(guard.marks().get(2, key("s:pa"), 0, 4)).as("the mark follows the primary at once").isEqualTo(5);
        assertThat(guard.checkPrimary(0, 2, key("s:new"), json(1), S)).as("no mark yet").isNull();
        assertThat(guard.check(0, 2, key("s:new"), json(0), S).expected()).isEqualTo(1);
    }

    @Test
    void aCandidateWithoutProofIsThePresentAndTheResetIsCounted() {
        guard.check(0, 2, key("s:pa"), json(9), S);
        Regression older = guard.checkPrimary(0, 2, key("s:pa"), json(5), S);
        assertThat(guard.settlePrimary(older, proof(false))).isFalse();
        assertThat(guard.marksReset(false)).isEqualTo(1);
        assertThat(guard.check(0, 2, key("s:pa"), json(5), S)).as("5 is the truth now").isNull();
        assertThat(guard.check(0, 2, key("s:pa"), json(4), S).expected()).isEqualTo(5);

        Regression absent = guard.checkPrimary(0, 2, key("s:pa"), null, S);
        assertThat(absent.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION);
        assertThat(absent.observedPresent()).isFalse();
        assertThat(absent.expected()).isEqualTo(5);
        assertThat(guard.settlePrimary(absent, proof(false))).isFalse();
        assertThat(guard.marksReset(true)).isEqualTo(1);
        assertThat(guard.check(0, 2, key("s:pa"), null, S)).as("a nil on the primary: the key is deleted").isNull();
        assertThat(guard.check(0, 2, key("s:pa"), json(5), S).type()).as("a replica still holding it")
                .isEqualTo(InconsistencyType.DELETED_VALUE);
    }

    @Test
    void aProvenCandidateIsALostWriteAndTheMarkStillFollowsThePrimary() {
        guard.check(0, 0, key("s:lost"), json(7), S);
        Regression candidate = guard.checkPrimary(0, 0, key("s:lost"), json(6), S);
        assertThat(guard.settlePrimary(candidate, proof(true))).isTrue();
        assertThat(guard.marksReset(false)).as("a proven loss is not a reset").isZero();
        assertThat(guard.marks().get(0, key("s:lost"), 0, 6)).isEqualTo(6);
    }

    @Test
    void aPrimaryValueThatCannotBeCheckedLeavesTheMarkAndIsCounted() {
        guard.check(0, 0, key("s:u"), json(7), S);
        assertThat(guard.checkPrimary(0, 0, key("s:u"), text("{\"version\":\"x\"}"), S)).isNull();
        assertThat(guard.unchecked(VersionFailure.NOT_NUMERIC)).isEqualTo(1);
        assertThat(guard.check(0, 0, key("s:u"), json(6), S).expected()).isEqualTo(7);
    }

    @Test
    void thePrimaryConfirmsAReplyOnlyWhenItWasHistoryBeforeTheRead() {
        guard.check(0, 0, key("s:b"), json(7), S);
        Regression older = guard.check(0, 0, key("s:b"), json(5), S);
        assertThat(guard.replicaWasBehind(older, json(7))).as("the primary has what the application saw").isTrue();
        assertThat(guard.replicaWasBehind(older, json(9))).as("or newer: versions only grow").isTrue();
        assertThat(guard.replicaWasBehind(older, json(6))).as("below what was shown: rewritten lower").isFalse();
        assertThat(guard.replicaWasBehind(older, json(5))).as("the primary agrees").isFalse();
        assertThat(guard.replicaWasBehind(older, null)).as("deleted or expired since: the present").isFalse();
        Regression missing = guard.check(0, 0, key("s:b"), null, S);
        assertThat(guard.replicaWasBehind(missing, json(7))).as("the value shown is there all along").isTrue();
        assertThat(guard.replicaWasBehind(missing, null)).as("expired or deleted: nil on both").isFalse();
        assertThat(guard.replicaWasBehind(missing, json(8)))
                .as("written again after it may have expired: the nil may have been the present").isFalse();
        guard.deleted(0, key("s:b"), S);
        Regression deleted = guard.check(0, 0, key("s:b"), json(7), S);
        assertThat(deleted.type()).isEqualTo(InconsistencyType.DELETED_VALUE);
        assertThat(guard.replicaWasBehind(deleted, null)).as("still deleted").isTrue();
        assertThat(guard.replicaWasBehind(deleted, json(8))).as("written again after the delete").isTrue();
        assertThat(guard.replicaWasBehind(deleted, json(7))).as("the primary has the deleted value again").isFalse();
        assertThat(guard.replicaWasBehind(older, text("{\"version\":\"x\"}"))).as("an unreadable primary value")
                .isFalse();
    }

    @Test
    void onlyAReplyOlderThanTheMarkAtDispatchIsSuspect() {
        guard.check(0, 0, key("s:c"), json(5), S);
        long floor = guard.marks().get(0, key("s:c"), 0, 3);
        guard.observeApplied(0, 0, key("s:c"), json(8), true, S); // a concurrent write completes meanwhile
        assertThat(guard.check(0, 0, key("s:c"), json(6), S, floor)).as("6 was current when the read was issued")
                .isNull();
        assertThat(guard.check(0, 0, key("s:c"), json(5), S, floor)).as("what was shown").isNull();
        assertThat(guard.check(0, 0, key("s:c"), json(4), S, floor).expected()).isEqualTo(5);
        assertThat(guard.check(0, 0, key("s:new"), null, S, HighWaterMarks.NO_MARK)).isNull();
        assertThat(guard.marks().get(0, key("s:c"), 0, 3)).isEqualTo(8);
        assertThat(guard.checkPrimary(0, 0, key("s:c"), json(6), S, floor))
                .as("the primary's 6 was the present when the read was issued").isNull();
        assertThat(guard.marks().get(0, key("s:c"), 0, 3)).as("the concurrent write's mark stays").isEqualTo(8);
        assertThat(guard.checkPrimary(0, 0, key("s:c"), null, S, HighWaterMarks.NO_MARK))
                .as("no mark when the read was issued").isNull();
        assertThat(guard.checkPrimary(0, 0, key("s:c"), json(4), S, floor).expected()).isEqualTo(8);
    }

    @Test
    void aDeletedKeyExpectsNilAndSuspectsValuesNoNewerThanTheOneDeleted() {
        guard.check(0, 0, key("s:del"), json(5), S);
        guard.deleted(0, key("s:del"), S);
        assertThat(guard.check(0, 0, key("s:del"), null, S)).as("nil is what the application expects").isNull();
        Regression stale = guard.check(0, 0, key("s:del"), json(5), S);
        assertThat(stale.type()).isEqualTo(InconsistencyType.DELETED_VALUE);
        assertThat(stale.expected()).as("the version deleted").isEqualTo(5);
        assertThat(guard.check(0, 0, key("s:del"), json(4), S).type()).isEqualTo(InconsistencyType.DELETED_VALUE);
        guard.deleted(0, key("s:del"), S); // deleted again: still the version before
        assertThat(guard.check(0, 0, key("s:del"), json(5), S)).isNotNull();
        assertThat(guard.check(0, 0, key("s:del"), json(6), S)).as("newer: written again since").isNull();
        assertThat(guard.check(0, 0, key("s:del"), null, S).type()).as("no longer deleted")
                .isEqualTo(InconsistencyType.MISSING);
        assertThat(guard.checkPrimary(0, 0, key("s:del"), json(6), S)).isNull();
    }

    @Test
    void aKeyDeletedWithoutAMarkSuspectsAnyValueAndAWriteEndsIt() {
        guard.deleted(0, key("s:unseen"), S);
        Regression any = guard.check(0, 0, key("s:unseen"), json(1_000_000), S);
        assertThat(any.type()).isEqualTo(InconsistencyType.DELETED_VALUE);
        assertThat(guard.checkPrimary(0, 0, key("s:unseen"), null, S)).as("nil on the primary: as expected").isNull();
        guard.observeApplied(0, 0, key("s:unseen"), json(1), true, S);
        assertThat(guard.check(0, 0, key("s:unseen"), json(1), S)).as("written: a value again").isNull();
    }

    @Test
    void aDeletedKeyThatThePrimaryHasAgainIsACandidate() {
        guard.check(0, 0, key("s:back"), json(5), S);
        guard.deleted(0, key("s:back"), S);
        Regression candidate = guard.checkPrimary(0, 0, key("s:back"), json(5), S);
        assertThat(candidate.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION);
        assertThat(guard.settlePrimary(candidate, proof(false))).isFalse();
        assertThat(guard.check(0, 0, key("s:back"), json(5), S)).as("the primary's value is the present").isNull();
    }

    @Test
    void aFlushDropsEveryMark() {
        guard.check(0, 0, key("s:f1"), json(5), S);
        guard.check(0, 3, key("s:f2"), json(5), S);
        guard.flushed();
        assertThat(guard.marks().size()).isZero();
        assertThat(guard.check(0, 0, key("s:f1"), null, S)).isNull();
    }

    @Test
    void writesThatCannotBeReadAreCountedAndLeaveTheMark() {
        guard.observeApplied(0, 0, key("s:bw"), json(5), true, S);
        guard.observeApplied(0, 0, key("s:bw"), text("{\"version\":1.5}"), true, S);
        guard.observeApplied(0, 0, key("s:bw"), null, true, S); // a null value: nothing to read, nothing counted
        assertThat(guard.unchecked(VersionFailure.NOT_NUMERIC)).isEqualTo(1);
        assertThat(guard.check(0, 0, key("s:bw"), json(4), S).expected()).isEqualTo(5);
        guard.observeApplied(0, 0, key("s:nw"), null, true, S);
        assertThat(guard.marks().size()).isEqualTo(1);
    }

    @Test
    void aValueServedByThePrimaryIsReadWithTheRulesSource() {
        assertThat(guard.checkPrimary(0, 0, key("s:p"), json(42), S)).isNull();
        Regression behind = guard.checkPrimary(0, 0, key("s:p"), json(41), S);
        assertThat(behind.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION);
        assertThat(behind.expected()).isEqualTo(42);
        assertThat(guard.checkPrimary(1, 0, key("h:p"), text("43"), S)).isNull();
        long before = guard.unchecked(VersionFailure.NOT_NUMERIC);
        assertThat(guard.checkPrimary(1, 0, key("h:p"), text("nope"), S)).isNull();
        assertThat(guard.unchecked(VersionFailure.NOT_NUMERIC)).isEqualTo(before + 1);
        assertThat(guard.rules()).extracting(r -> r.name()).containsExactly("default", "h", "plain");
        assertThat(guard.marks().maxTrackedKeys()).isEqualTo(1000);
    }

    @Test
    void aRegressionBecomesTheEventToReport() {
        guard.check(0, 6, key("s:o"), json(9), S);
        Regression regression = guard.check(0, 6, key("s:o"), json(4), S);
        Object context = new Object();
        Inconsistency event = regression.outcome("GETEX", GuardAction.FAILED, "10.1.1.1", 6390, false, context);
        assertThat(event.toString()).isEqualTo("type=version_regression action=failed rule=default db=6 key=s:o"
                + " op=GETEX expected=9 observed=4 node=10.1.1.1:6390 role=replica");
        assertThat(event.context()).isSameAs(context);
        assertThat(event.observedPresent()).isTrue();
        assertThat(event.servedByPrimary()).isFalse();
        Inconsistency missing = guard.check(0, 6, key("s:o"), null, S).outcome("GET", GuardAction.REPORTED, null, -1, true,
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
                        guard.check(0, 0, key("s:race"), json(v), S);
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
        assertThat(guard.check(0, 0, key("s:race"), json(1998), S)).isNotNull();
        assertThat(guard.check(0, 0, key("s:race"), json(1999), S)).isNull();
    }

    /** The exception a {@code fail} policy throws shows the key as {@code stateguard.telemetry.keys} says. */
    @Test
    void failureMessagesShowTheKeyAsTheKeyPrivacySettingSays() {
        guard.observeApplied(0, 0, key("s:1"), ByteBuffer.wrap("{\"version\":7}".getBytes(StandardCharsets.UTF_8)), true, S);
        Regression regression = guard.check(0, 0, key("s:1"),
                ByteBuffer.wrap("{\"version\":6}".getBytes(StandardCharsets.UTF_8)), S);
        assertThat(regression.failureMessage("GET", KeyPrivacy.FULL))
                .isEqualTo("StateGuard: stale state for key 's:1' (rule default, GET): expected version >= 7, observed 6");
        assertThat(regression.failureMessage("GET", KeyPrivacy.HASHED))
                .isEqualTo("StateGuard: stale state for key '" + KeyPrivacy.hash(key("s:1"))
                        + "' (rule default, GET): expected version >= 7, observed 6")
                .doesNotContain("s:1");
        assertThat(regression.failureMessage("GET", KeyPrivacy.NONE))
                .isEqualTo("StateGuard: stale state for a key (rule default, GET): expected version >= 7, observed 6");
        Regression missing = guard.check(0, 0, key("s:1"), null, S);
        assertThat(missing.failureMessage("GET", KeyPrivacy.NONE))
                .isEqualTo("StateGuard: stale state for a key (rule default, GET): expected version >= 7, observed a missing value");
    }

    /** A key that is not UTF-8 text is shown escaped byte by byte, not with replacement characters. */
    @Test
    void failureMessagesEscapeBinaryKeys() {
        byte[] binary = {'s', ':', (byte) 0xFF};
        guard.observeApplied(0, 0, binary, ByteBuffer.wrap("{\"version\":7}".getBytes(StandardCharsets.UTF_8)), true, S);
        Regression regression = guard.check(0, 0, binary,
                ByteBuffer.wrap("{\"version\":6}".getBytes(StandardCharsets.UTF_8)), S);
        assertThat(regression.failureMessage("GET", KeyPrivacy.FULL))
                .isEqualTo("StateGuard: stale state for key 's:\\xff' (rule default, GET): expected version >= 7, observed 6");
        assertThat(guard.keyPrivacy()).isEqualTo(KeyPrivacy.FULL);
        assertThat(new VersionGuard(java.util.List.of(), 10, KeyPrivacy.HASHED).keyPrivacy()).isEqualTo(KeyPrivacy.HASHED);
    }
}
