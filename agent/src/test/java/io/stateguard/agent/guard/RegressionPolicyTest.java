package io.stateguard.agent.guard;

import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.keys.KeyMatcher;
import io.stateguard.agent.keys.KeyPrivacy;
import io.stateguard.agent.routing.RoutingPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard's decisions and its on-regression policy, from a command's arguments to the verdict the
 * client adapter carries out, without Redis and without a client: keys and values are bytes.
 */
class RegressionPolicyTest {

    /**
     * Rule 0 re-reads replica answers, 1 fails, 2 reports, 3 is served by the primary, 4 versions hashes, 5
     * is served by the primary and fails.
     */
    private static final String RULES = "keys=rr:*;version=json:/version;routing=replica-checked"
            + ";rule.f.keys=f:*;rule.f.version=json:/version;rule.f.routing=replica-checked;rule.f.on-regression=fail"
            + ";rule.r.keys=r:*;rule.r.version=json:/version;rule.r.routing=replica-checked;rule.r.on-regression=report"
            + ";rule.p.keys=p:*;rule.p.version=json:/version;rule.p.routing=primary"
            + ";rule.h.keys=h:*;rule.h.version=hash:version;rule.h.routing=replica-checked"
            + ";rule.pf.keys=pf:*;rule.pf.version=json:/version;rule.pf.routing=primary;rule.pf.on-regression=fail";

    private final List<Inconsistency> events = new ArrayList<>();

    private final AtomicInteger addressLookUps = new AtomicInteger();

    private final NodeAddresses nodes = connection -> {
        addressLookUps.incrementAndGet();
        return InetSocketAddress.createUnresolved("replica-1", 6380);
    };

    private final Object connection = new Object();

    private CommandClassifier classifier;

    private RegressionPolicy policy;

    private VersionGuard guard;

    /** What INFO replication answers on "the primary": its master_replid, or null with {@link #refusal}. */
    private volatile String replicationId = "history-A";

    private volatile String refusal;

    private final AtomicInteger idReads = new AtomicInteger();

    private long now;

    private void install(KeyPrivacy keys) {
        List<io.stateguard.agent.config.Rule> rules = ConfigLoader.load(RULES, new HashMap<>(), new Properties())
                .rules();
        guard = new VersionGuard(rules, 1000, keys);
        KeyMatcher matcher = RoutingPolicy.of(rules).matcher();
        classifier = new CommandClassifier(guard, matcher);
        ReplicationIds.Source primary = (topology, done) -> {
            idReads.incrementAndGet();
            done.done(replicationId, replicationId == null ? refusal : null);
            return true;
        };
        policy = new RegressionPolicy(guard, new ReplicationIds(primary, 1_000_000_000L, () -> now));
        Inconsistencies.setReporter(events::add);
    }

    @AfterEach
    void restoreReporter() {
        Inconsistencies.setReporter(new LoggingReporter(10));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String json(long version) {
        return "{\"state\":\"open\",\"version\":" + version + "}";
    }

    private static ByteBuffer value(long version) {
        return ByteBuffer.wrap(bytes(json(version)));
    }

    private static EncodedArguments args(Object... keyOrValue) {
        EncodedArguments arguments = new EncodedArguments();
        for (Object each : keyOrValue) {
            if (each instanceof Value) {
                arguments.add(false, bytes(((Value) each).text));
            } else if (each instanceof Number) {
                arguments.addNumber(bytes(((Number) each).text));
            } else {
                arguments.add(true, bytes((String) each));
            }
        }
        return arguments;
    }

    private static final class Value {
        final String text;

        Value(String text) {
            this.text = text;
        }
    }

    private static Value v(String text) {
        return new Value(text);
    }

    private static final class Number {
        final String text;

        Number(String text) {
            this.text = text;
        }
    }

    private static Number n(String text) {
        return new Number(text);
    }

    private void write(String key, long version) {
        TrackedCommand set = classifier.classify(CommandKind.SET, "SET", connection, 0, args(key, v(json(version))));
        assertThat(set).as("SET %s is tracked", key).isNotNull();
        assertThat(policy.onReply(set, null, nodes, connection).action()).isEqualTo(ReplyVerdict.Action.PASS);
    }

    private ReplyVerdict read(String key, ByteBuffer reply) {
        TrackedCommand get = classifier.classify(CommandKind.GET, "GET", connection, 0, args(key));
        assertThat(get).as("GET %s is tracked", key).isNotNull();
        return policy.onReply(get, new ByteBuffer[] {reply}, nodes, connection);
    }

    /** Reads the key on "a replica"; a suspicion is re-read on "the primary", which answers {@code primary}. */
    private String readConfirmed(String key, ByteBuffer replica, ByteBuffer primary) {
        ReplyVerdict verdict = read(key, replica);
        assertThat(verdict.action()).as("%s is suspected and re-read", key).isEqualTo(ReplyVerdict.Action.REREAD);
        return policy.onReread(verdict, new ByteBuffer[] {primary});
    }

    /** Lets the refresh interval pass and sets a mark, so that a read of the replication ID follows the marks. */
    private void laterRead() {
        now += 2_000_000_000L;
        write("rr:tick" + now, 1);
        assertThat(idReads.get()).isPositive();
    }

    @Test
    void anOlderReplicaAnswerIsReReadAndThePrimaryConfirmsIt() {
        install(KeyPrivacy.FULL);
        write("rr:1", 5);
        ReplyVerdict verdict = read("rr:1", value(4));
        assertThat(verdict.action()).isEqualTo(ReplyVerdict.Action.REREAD);
        assertThat(verdict.detached()).isFalse();
        assertThat(events).as("nothing is reported before the primary answers").isEmpty();

        assertThat(policy.onReread(verdict, new ByteBuffer[] {value(5)})).isNull();
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(InconsistencyType.VERSION_REGRESSION);
            assertThat(event.action()).isEqualTo(GuardAction.REREAD_PRIMARY);
            assertThat(event.expectedVersion()).isEqualTo(5);
            assertThat(event.observedVersion()).isEqualTo(4);
            assertThat(event.serverAddress()).isEqualTo("replica-1");
            assertThat(event.serverPort()).isEqualTo(6380);
            assertThat(event.servedByPrimary()).isFalse();
        });
        assertThat(read("rr:1", value(5)).action()).as("the mark is where the primary is").isEqualTo(
                ReplyVerdict.Action.PASS);
    }

    @Test
    void aReplyAtOrAboveTheMarkPassesAndCostsNoAddressLookUp() {
        install(KeyPrivacy.FULL);
        write("rr:1", 5);
        assertThat(read("rr:1", value(5)).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(read("rr:1", value(9)).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(read("rr:2", null).action()).as("never shown: a nil is no regression").isEqualTo(
                ReplyVerdict.Action.PASS);
        assertThat(events).isEmpty();
        assertThat(addressLookUps).hasValue(0);
    }

    /** Issue case 1: a key that expired (or another process deleted) is nil on the primary too: no event. */
    @Test
    void aNilThatThePrimaryAgreesWithIsTheKeyExpiringNotARegression() {
        install(KeyPrivacy.FULL);
        for (String key : new String[] {"rr:ttl", "f:ttl", "r:ttl"}) {
            write(key, 3);
            assertThat(readConfirmed(key, null, null)).as("%s: nothing to fail", key).isNull();
            assertThat(read(key, null).action()).as("%s: the mark followed the primary", key)
                    .isEqualTo(ReplyVerdict.Action.PASS);
        }
        assertThat(events).isEmpty();
        assertThat(guard.marksReset(true)).isEqualTo(3);
    }

    @Test
    void anOlderValueThatThePrimaryAgreesWithIsThePresentNotARegression() {
        install(KeyPrivacy.FULL);
        write("rr:rewritten", 7);
        assertThat(readConfirmed("rr:rewritten", value(2), value(2))).isNull();
        assertThat(events).as("another process wrote 2: the replica is not behind, the primary is the truth")
                .isEmpty();
        assertThat(guard.marksReset(false)).isEqualTo(1);
        assertThat(read("rr:rewritten", value(2)).action()).isEqualTo(ReplyVerdict.Action.PASS);
    }

    @Test
    void failFailsOnlyWhatThePrimaryConfirmsWithAMessageThatFollowsKeyPrivacy() {
        install(KeyPrivacy.HASHED);
        write("f:secret", 3);
        String failure = readConfirmed("f:secret", value(2), value(3));
        assertThat(failure).startsWith("StateGuard: stale state for key '")
                .contains("rule f", "GET", "expected version >= 3, observed 2").doesNotContain("secret");
        assertThat(events).singleElement().satisfies(event -> assertThat(event.action()).isEqualTo(GuardAction.FAILED));
        write("f:gone", 3);
        assertThat(readConfirmed("f:gone", null, null)).as("expired: the primary agrees with the nil").isNull();
        assertThat(events).hasSize(1);
    }

    @Test
    void reportPassesTheReplyOnAndReportsWhatThePrimaryConfirms() {
        install(KeyPrivacy.FULL);
        write("r:1", 3);
        ReplyVerdict verdict = read("r:1", null);
        assertThat(verdict.action()).isEqualTo(ReplyVerdict.Action.REREAD);
        assertThat(verdict.detached()).as("the command completes with the reply it has").isTrue();
        assertThat(policy.onReread(verdict, new ByteBuffer[] {value(3)})).isNull();
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(InconsistencyType.MISSING);
            assertThat(event.action()).isEqualTo(GuardAction.REPORTED);
            assertThat(event.observedPresent()).isFalse();
        });
    }

    @Test
    void aCommandWithoutAConnectionIsReportedNeverReRead() {
        install(KeyPrivacy.FULL);
        write("rr:1", 5);
        TrackedCommand get = classifier.classify(CommandKind.GET, "GET", null, 0, args("rr:1"));
        ReplyVerdict verdict = policy.onReply(get, new ByteBuffer[] {value(1)}, nodes, null);
        assertThat(verdict.action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(events).singleElement().satisfies(event -> assertThat(event.action()).isEqualTo(GuardAction.REPORTED));
    }

    @Test
    void aFailedReReadIsReportedAndTheReplicaAnswerStands() {
        install(KeyPrivacy.FULL);
        write("rr:1", 5);
        ReplyVerdict verdict = read("rr:1", value(4));
        policy.onRereadFailed(verdict);
        assertThat(events).singleElement().satisfies(event -> assertThat(event.action()).isEqualTo(GuardAction.REPORTED));
    }

    @Test
    void aPrimaryServedReplyBelowTheMarkWithoutAFailoverResetsTheMarkSilently() {
        install(KeyPrivacy.FULL);
        write("p:1", 7);
        assertThat(read("p:1", value(6)).action()).as("re-reading the primary cannot help").isEqualTo(
                ReplyVerdict.Action.PASS);
        write("p:2", 7);
        assertThat(read("p:2", null).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(events).as("the same replication ID: the primary's value is the present").isEmpty();
        assertThat(guard.marksReset(false)).isEqualTo(1);
        assertThat(guard.marksReset(true)).isEqualTo(1);
        assertThat(read("p:1", value(6)).action()).isEqualTo(ReplyVerdict.Action.PASS);
    }

    @Test
    void aPrimaryBelowTheMarkAfterAFailoverIsAPrimaryRegressionOnce() {
        install(KeyPrivacy.FULL);
        write("p:1", 7);
        laterRead(); // the ID is read again after the mark: history-A
        replicationId = "history-B"; // a failover promoted a replica that missed 7
        assertThat(read("p:1", value(6)).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION);
            assertThat(event.action()).isEqualTo(GuardAction.REPORTED);
            assertThat(event.expectedVersion()).isEqualTo(7);
            assertThat(event.observedVersion()).isEqualTo(6);
            assertThat(event.servedByPrimary()).isTrue();
        });
        assertThat(read("p:1", value(6)).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(events).as("the primary's version became the mark").hasSize(1);
    }

    @Test
    void aFailoverSeenBeforeAnyReadAfterTheMarkProvesNothing() {
        install(KeyPrivacy.FULL);
        write("p:0", 1); // reads the ID; the next mark starts no read (within the interval)
        write("p:1", 7);
        replicationId = "history-B"; // no read of the ID between the mark and the proof
        read("p:1", value(6));
        assertThat(events).isEmpty();
        assertThat(guard.marksReset(false)).isEqualTo(1);
    }

    @Test
    void aPrimaryRoutedFailRuleIsHeldUntilTheReplicationIdSettlesIt() {
        install(KeyPrivacy.FULL);
        write("pf:1", 7);
        List<String> outcomes = new ArrayList<>();
        ReplyVerdict expired = read("pf:1", null);
        assertThat(expired.action()).isEqualTo(ReplyVerdict.Action.HOLD);
        policy.settle(expired, outcomes::add);
        assertThat(outcomes).as("no failover: completed as it is").containsExactly((String) null);

        write("pf:2", 7);
        laterRead();
        replicationId = "history-B";
        ReplyVerdict lost = read("pf:2", value(6));
        policy.settle(lost, outcomes::add);
        assertThat(outcomes.get(1)).contains("expected version >= 7, observed 6");
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION);
            assertThat(event.action()).isEqualTo(GuardAction.FAILED);
        });
    }

    @Test
    void aReplicationIdThatCannotBeReadNeverProvesALoss() {
        install(KeyPrivacy.FULL);
        replicationId = null;
        refusal = "NOPERM this user has no permissions to run the 'info' command";
        write("p:1", 7);
        laterRead();
        read("p:1", value(6));
        assertThat(events).isEmpty();
        assertThat(guard.marksReset(false)).isEqualTo(1);
    }

    @Test
    void aPrimaryBelowTheMarkAfterAReReadWithoutAFailoverIsNotReported() {
        install(KeyPrivacy.FULL);
        write("rr:1", 5);
        ReplyVerdict verdict = read("rr:1", value(4));
        policy.onReread(verdict, new ByteBuffer[] {value(3)});
        assertThat(events).as("the primary is older than the replica: the replica was not behind").isEmpty();
        assertThat(guard.marksReset(false)).isEqualTo(1);
    }

    /** Issue case 3: the application's own delete, and a replica that has not applied it yet. */
    @Test
    void theApplicationsOwnDeleteLeavesADeletedMark() {
        install(KeyPrivacy.FULL);
        write("rr:1", 5);
        TrackedCommand delete = classifier.classify(CommandKind.DELETE, "DEL", connection, 0, args("other", "rr:1"));
        assertThat(delete.keyCount()).isEqualTo(1);
        assertThat(policy.onReply(delete, null, nodes, connection).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(read("rr:1", null).action()).as("nil is what the application expects").isEqualTo(
                ReplyVerdict.Action.PASS);
        ReplyVerdict stale = read("rr:1", value(5));
        assertThat(stale.action()).isEqualTo(ReplyVerdict.Action.REREAD);
        policy.onReread(stale, new ByteBuffer[] {null});
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(InconsistencyType.DELETED_VALUE);
            assertThat(event.action()).isEqualTo(GuardAction.REREAD_PRIMARY);
            assertThat(event.observedVersion()).isEqualTo(5);
            assertThat(event.toString()).contains("expected=deleted");
        });
        assertThat(read("rr:1", value(6)).action()).as("newer than the delete: written again").isEqualTo(
                ReplyVerdict.Action.PASS);
    }

    @Test
    void aDeleteOfAKeyNeverSeenStillMakesAnyReplicaValueSuspect() {
        install(KeyPrivacy.FULL);
        TrackedCommand unlink = classifier.classify(CommandKind.DELETE, "UNLINK", connection, 0, args("f:new"));
        policy.onReply(unlink, null, nodes, connection);
        assertThat(readConfirmed("f:new", value(1), null)).contains("expected the key deleted, observed 1");
        assertThat(readConfirmed("f:new", value(1), value(1))).as("recreated by someone: the primary has it too")
                .isNull();
        assertThat(events).hasSize(1);
    }

    @Test
    void anExpireThatDeletesAtOnceLeavesADeletedMarkWhenApplied() {
        install(KeyPrivacy.FULL);
        assertThat(classifier.classify(CommandKind.EXPIRE, "EXPIRE", connection, 0, args("f:e", n("100"))))
                .as("a positive time to live deletes nothing now").isNull();
        write("f:e", 4);
        reply(written(CommandKind.EXPIRE, "PEXPIRE", "f:e", n("-1")), WriteReply.NOT_APPLIED);
        assertThat(read("f:e", null).action()).as("not applied: the key was not there").isEqualTo(
                ReplyVerdict.Action.REREAD);
        reply(written(CommandKind.EXPIRE, "EXPIRE", "f:e", n("0")), WriteReply.APPLIED);
        assertThat(read("f:e", null).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(readConfirmed("f:e", value(4), null)).contains("expected the key deleted");
    }

    @Test
    void aFlushForgetsEveryMark() {
        install(KeyPrivacy.FULL);
        write("rr:1", 5);
        policy.onFlushed();
        assertThat(read("rr:1", null).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(read("rr:1", value(1)).action()).isEqualTo(ReplyVerdict.Action.PASS);
    }

    @Test
    void anUnreadableReplyChecksNothing() {
        install(KeyPrivacy.FULL);
        write("rr:1", 5);
        TrackedCommand get = classifier.classify(CommandKind.GET, "GET", connection, 0, args("rr:1"));
        assertThat(policy.onReply(get, null, nodes, connection).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(events).isEmpty();
    }

    @Test
    void databasesKeepTheirOwnMarks() {
        install(KeyPrivacy.FULL);
        write("rr:1", 5);
        TrackedCommand inDatabase3 = classifier.classify(CommandKind.GET, "GET", connection, 3, args("rr:1"));
        assertThat(policy.onReply(inDatabase3, new ByteBuffer[] {value(1)}, nodes, connection).action())
                .isEqualTo(ReplyVerdict.Action.PASS);
    }

    /** A write issued as {@code command key value [options]} and its reply; asserts it is tracked. */
    private TrackedCommand written(CommandKind kind, String operation, Object... keysValuesAndOptions) {
        TrackedCommand write = classifier.classify(kind, operation, connection, 0, args(keysValuesAndOptions));
        assertThat(write).as("%s is tracked", operation).isNotNull();
        return write;
    }

    private void reply(TrackedCommand write, WriteReply reply) {
        policy.onWriteReply(write, reply);
    }

    private ReplyVerdict hget(String key, String version) {
        TrackedCommand get = classifier.classify(CommandKind.HGET, "HGET", connection, 0, args(key, "version"));
        assertThat(get).isNotNull();
        return policy.onReply(get, new ByteBuffer[] {version == null ? null : ByteBuffer.wrap(bytes(version))}, nodes,
                connection);
    }

    /** Issue case 2: a conditional write that was not applied leaves the mark where it was. */
    @Test
    void aSetNxThatWasNotAppliedLeavesTheMark() {
        install(KeyPrivacy.FULL);
        for (String key : new String[] {"p:nx", "f:nx", "pf:nx"}) {
            write(key, 5);
            reply(written(CommandKind.SET, "SET", key, v(json(6)), v("NX")), WriteReply.NOT_APPLIED);
            assertThat(read(key, value(5)).action()).as("%s at 5 after a SET NX of 6 answered nil", key)
                    .isEqualTo(ReplyVerdict.Action.PASS);
        }
        reply(written(CommandKind.SET, "SET", "f:fresh", v(json(6)), v("nx")), WriteReply.NOT_APPLIED);
        assertThat(read("f:fresh", null).action()).as("no mark was made").isEqualTo(ReplyVerdict.Action.PASS);
        reply(written(CommandKind.SET, "SET", "f:fresh", v(json(6)), v("NX")), WriteReply.UNREADABLE);
        assertThat(read("f:fresh", null).action()).as("an unreadable reply makes no mark").isEqualTo(
                ReplyVerdict.Action.PASS);
        assertThat(events).isEmpty();

        reply(written(CommandKind.SET, "SET", "f:nx", v(json(6)), v("NX")), WriteReply.APPLIED);
        assertThat(read("f:nx", value(5)).action()).as("applied: the mark is 6").isEqualTo(
                ReplyVerdict.Action.REREAD);
    }

    @Test
    void aSetXxThatWasAppliedRaisesTheMarkAndOneNotAppliedDoesNot() {
        install(KeyPrivacy.FULL);
        write("f:xx", 5);
        reply(written(CommandKind.SET, "SET", "f:xx", v(json(9)), v("XX")), WriteReply.NOT_APPLIED);
        assertThat(read("f:xx", value(5)).action()).isEqualTo(ReplyVerdict.Action.PASS);
        reply(written(CommandKind.SET, "SET", "f:xx", v(json(7)), v("XX")), WriteReply.APPLIED);
        assertThat(readConfirmed("f:xx", value(5), value(7))).contains("expected version >= 7, observed 5");
    }

    @Test
    void theMarkIsTheHighestAppliedVersionWhateverOrderTheRepliesArriveIn() {
        install(KeyPrivacy.FULL);
        TrackedCommand first = written(CommandKind.SET, "SET", "f:race", v(json(7)));
        TrackedCommand second = written(CommandKind.SET, "SET", "f:race", v(json(8)));
        reply(second, WriteReply.APPLIED);
        reply(first, WriteReply.APPLIED); // its reply arrives last (another connection)
        assertThat(readConfirmed("f:race", value(7), value(8))).contains("expected version >= 8, observed 7");
        TrackedCommand mset = written(CommandKind.MSET, "MSET", "f:race", v(json(3)));
        reply(mset, WriteReply.APPLIED);
        assertThat(readConfirmed("f:race", value(3), value(3)))
                .as("an application that starts again at 3: the primary has 3, no false alarm").isNull();
        assertThat(read("f:race", value(3)).action()).as("the mark followed the primary").isEqualTo(
                ReplyVerdict.Action.PASS);
        assertThat(events).extracting(Inconsistency::action).containsExactly(GuardAction.FAILED);
    }

    @Test
    void aDeletedKeyWrittenAgainTakesTheVersionWritten() {
        install(KeyPrivacy.FULL);
        write("rr:again", 9);
        policy.onDeleted(classifier.classify(CommandKind.DELETE, "DEL", connection, 0, args("rr:again")));
        write("rr:again", 1);
        assertThat(read("rr:again", value(1)).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(read("rr:again", null).action()).as("a value again: a nil is suspect").isEqualTo(
                ReplyVerdict.Action.REREAD);
    }

    @Test
    void setnxAndMsetnxAreAllOrNothing() {
        install(KeyPrivacy.FULL);
        write("f:a", 5);
        reply(written(CommandKind.SETNX, "SETNX", "f:a", v(json(6))), WriteReply.NOT_APPLIED);
        assertThat(read("f:a", value(5)).action()).isEqualTo(ReplyVerdict.Action.PASS);

        TrackedCommand refused = written(CommandKind.MSETNX, "MSETNX", "f:a", v(json(6)), "f:b", v(json(6)));
        assertThat(refused.keyCount()).isEqualTo(2);
        reply(refused, WriteReply.NOT_APPLIED);
        assertThat(read("f:a", value(5)).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(read("f:b", null).action()).as("no mark for f:b").isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(events).isEmpty();

        reply(written(CommandKind.MSETNX, "MSETNX", "f:c", v(json(4)), "f:d", v(json(6))), WriteReply.APPLIED);
        assertThat(readConfirmed("f:c", value(3), value(4))).contains("expected version >= 4");
        assertThat(readConfirmed("f:d", null, value(6))).contains("expected version >= 6");
        reply(written(CommandKind.SETNX, "SETNX", "f:e", v(json(2))), WriteReply.APPLIED);
        assertThat(read("f:e", value(1)).action()).isEqualTo(ReplyVerdict.Action.REREAD);
    }

    @Test
    void hsetnxOfTheVersionFieldSetsTheMarkOnlyWhenApplied() {
        install(KeyPrivacy.FULL);
        reply(written(CommandKind.HSETNX, "HSETNX", "h:1", "version", v("4")), WriteReply.NOT_APPLIED);
        assertThat(hget("h:1", "3").action()).as("not applied: no mark").isEqualTo(ReplyVerdict.Action.PASS);
        reply(written(CommandKind.HSETNX, "HSETNX", "h:2", "version", v("4")), WriteReply.APPLIED);
        ReplyVerdict verdict = hget("h:2", "3");
        assertThat(verdict.action()).isEqualTo(ReplyVerdict.Action.REREAD);
        assertThat(verdict.regressions()).singleElement().satisfies(
                regression -> assertThat(regression.expected()).isEqualTo(4));
    }

    @Test
    void setGetAndGetsetAreAppliedAndThePreviousValueRaisesTheMarkWithoutAnEvent() {
        install(KeyPrivacy.FULL);
        write("f:g", 5);
        reply(written(CommandKind.SET, "SET", "f:g", v(json(7)), v("GET")), WriteReply.previous(value(3)));
        assertThat(events).as("an older previous value is the primary's: no event").isEmpty();
        assertThat(readConfirmed("f:g", value(6), value(7))).as("applied: the value written is the mark")
                .contains("expected version >= 7, observed 6");

        reply(written(CommandKind.GETSET, "GETSET", "f:h", v(json(8))), WriteReply.previous(value(6)));
        assertThat(readConfirmed("f:h", value(3), value(8))).as("the previous value 6, then the value written")
                .contains("expected version >= 8, observed 3");
        reply(written(CommandKind.GETSET, "GETSET", "f:p", v(json(4))), WriteReply.previous(value(9)));
        assertThat(readConfirmed("f:p", value(8), value(9))).as("a previous value above the value written is the mark")
                .contains("expected version >= 9, observed 8");
        reply(written(CommandKind.GETSET, "GETSET", "f:i", v(json(4))), WriteReply.previous(null));
        assertThat(readConfirmed("f:i", value(3), value(4))).contains("expected version >= 4, observed 3");

        // With NX or XX, the previous value says whether the write was applied.
        reply(written(CommandKind.SET, "SET", "f:j", v(json(5)), v("NX"), v("GET")), WriteReply.previous(null));
        assertThat(read("f:j", value(4)).action()).as("NX GET, nil before: applied").isEqualTo(
                ReplyVerdict.Action.REREAD);
        reply(written(CommandKind.SET, "SET", "f:k", v(json(5)), v("NX"), v("GET")), WriteReply.previous(value(2)));
        assertThat(read("f:k", value(2)).action()).as("NX GET, a value before: not applied, 2 was shown").isEqualTo(
                ReplyVerdict.Action.PASS);
        assertThat(read("f:k", value(1)).action()).isEqualTo(ReplyVerdict.Action.REREAD);
        reply(written(CommandKind.SET, "SET", "f:l", v(json(5)), v("XX"), v("GET")), WriteReply.previous(null));
        assertThat(read("f:l", null).action()).as("XX GET, nil before: not applied").isEqualTo(
                ReplyVerdict.Action.PASS);
        reply(written(CommandKind.SET, "SET", "f:m", v(json(5)), v("XX"), v("GET")), WriteReply.previous(value(2)));
        assertThat(readConfirmed("f:m", value(4), value(5))).as("XX GET, a value before: applied")
                .contains("expected version >= 5, observed 4");
        reply(written(CommandKind.SET, "SET", "f:n", v(json(5)), v("XX"), v("GET")), WriteReply.UNREADABLE);
        assertThat(read("f:n", null).action()).as("unreadable: not taken as applied").isEqualTo(
                ReplyVerdict.Action.PASS);
        events.removeIf(event -> event.action() == GuardAction.FAILED);
        assertThat(events).as("no write raised an event").isEmpty();
    }

    @Test
    void anUnconditionalWriteIsAppliedWhateverItsReplySays() {
        install(KeyPrivacy.FULL);
        reply(written(CommandKind.HSET, "HSET", "h:3", "version", v("4")), WriteReply.NOT_APPLIED); // 0 new fields
        assertThat(hget("h:3", "3").action()).isEqualTo(ReplyVerdict.Action.REREAD);
        reply(written(CommandKind.SET, "SET", "f:u", v(json(4)), v("PX")), WriteReply.UNREADABLE);
        assertThat(read("f:u", value(3)).action()).isEqualTo(ReplyVerdict.Action.REREAD);
    }

    @Test
    void aValueThatCannotBeCheckedIsSkippedNotTakenForNil() {
        install(KeyPrivacy.FULL);
        write("rr:1", 5);
        write("rr:2", 5);
        TrackedCommand mget = classifier.classify(CommandKind.MGET, "MGET", connection, 0, args("rr:1", "rr:2"));
        ReplyVerdict verdict = policy.onReply(mget, new ByteBuffer[] {RegressionPolicy.UNREADABLE, value(4)}, nodes,
                connection);
        assertThat(verdict.action()).isEqualTo(ReplyVerdict.Action.REREAD);
        assertThat(verdict.regressions()).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .as("only the key whose value was read").containsExactly("rr:2");
    }

    /** After a re-read of several keys, each suspicion is judged by the primary's value of its own key. */
    @Test
    void eachKeyOfAReReadIsJudgedByThePrimarysValueOfThatKey() {
        install(KeyPrivacy.FULL);
        write("rr:1", 5);
        write("rr:2", 5);
        write("rr:3", 5);
        TrackedCommand mget = classifier.classify(CommandKind.MGET, "MGET", connection, 0,
                args("rr:1", "rr:2", "rr:3"));
        ReplyVerdict verdict = policy.onReply(mget, new ByteBuffer[] {value(5), value(4), value(4)}, nodes,
                connection);
        assertThat(verdict.action()).isEqualTo(ReplyVerdict.Action.REREAD);
        // The primary has rr:2 at 5 (the replica was behind) and rr:3 at 4, as the replica: not behind.
        policy.onReread(verdict, new ByteBuffer[] {value(5), value(5), value(4)});
        assertThat(events).extracting(e -> new String(e.key(), StandardCharsets.UTF_8) + " " + e.type().label())
                .containsExactly("rr:2 version_regression");
    }

    /** A conditional write that was not applied still shows the application the previous value it returned. */
    @Test
    void aPreviousValueReturnedByAWriteThatWasNotAppliedIsAMark() {
        install(KeyPrivacy.FULL);
        reply(written(CommandKind.SET, "SET", "f:prev", v(json(9)), v("NX"), v("GET")), WriteReply.previous(value(6)));
        assertThat(read("f:prev", value(6)).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(readConfirmed("f:prev", value(5), value(6))).contains("expected version >= 6, observed 5");
        reply(written(CommandKind.SET, "SET", "f:none", v(json(9)), v("NX"), v("GET")), WriteReply.NOT_APPLIED);
        assertThat(read("f:none", value(1)).action()).as("no previous value: nothing shown, no mark")
                .isEqualTo(ReplyVerdict.Action.PASS);
    }

    @Test
    void anMgetOfAPrimaryRoutedAndAReplicaCheckedKeyJudgesEachByItsRule() {
        install(KeyPrivacy.FULL);
        write("p:m", 7);
        write("rr:m", 5);
        laterRead();
        replicationId = "history-B"; // a failover lost p:m's 7
        TrackedCommand mget = classifier.classify(CommandKind.MGET, "MGET", connection, 0, args("p:m", "rr:m"));
        ReplyVerdict verdict = policy.onReply(mget, new ByteBuffer[] {value(6), value(4)}, nodes, connection);
        assertThat(verdict.action()).as("the replica-checked key is re-read").isEqualTo(ReplyVerdict.Action.REREAD);
        assertThat(verdict.regressions()).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("rr:m");
        assertThat(events).as("the primary-routed key's lost write, proven at once").singleElement()
                .satisfies(event -> assertThat(event.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION));
    }

    @Test
    void aReReadWhosePrimaryReplyCannotBeReadReportsNothingAndFailsNothing() {
        install(KeyPrivacy.FULL);
        write("f:u", 5);
        ReplyVerdict verdict = read("f:u", value(4));
        assertThat(policy.onReread(verdict, null)).isNull();
        assertThat(events).isEmpty();
    }
}
