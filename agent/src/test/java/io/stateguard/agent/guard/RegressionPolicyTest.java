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

    /** Rule 0 re-reads replica answers, 1 fails, 2 reports, 3 is served by the primary, 4 versions hashes. */
    private static final String RULES = "keys=rr:*;version=json:/version;routing=replica-checked"
            + ";rule.f.keys=f:*;rule.f.version=json:/version;rule.f.routing=replica-checked;rule.f.on-regression=fail"
            + ";rule.r.keys=r:*;rule.r.version=json:/version;rule.r.routing=replica-checked;rule.r.on-regression=report"
            + ";rule.p.keys=p:*;rule.p.version=json:/version;rule.p.routing=primary"
            + ";rule.h.keys=h:*;rule.h.version=hash:version;rule.h.routing=replica-checked";

    private final List<Inconsistency> events = new ArrayList<>();

    private final AtomicInteger addressLookUps = new AtomicInteger();

    private final NodeAddresses nodes = connection -> {
        addressLookUps.incrementAndGet();
        return InetSocketAddress.createUnresolved("replica-1", 6380);
    };

    private final Object connection = new Object();

    private CommandClassifier classifier;

    private RegressionPolicy policy;

    private void install(KeyPrivacy keys) {
        List<io.stateguard.agent.config.Rule> rules = ConfigLoader.load(RULES, new HashMap<>(), new Properties())
                .rules();
        VersionGuard guard = new VersionGuard(rules, 1000, keys);
        KeyMatcher matcher = RoutingPolicy.of(rules).matcher();
        classifier = new CommandClassifier(guard, matcher);
        policy = new RegressionPolicy(guard);
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

    @Test
    void anOlderReplicaAnswerIsReReadAndThePrimarysAnswerSettlesIt() {
        install(KeyPrivacy.FULL);
        write("rr:1", 5);
        ReplyVerdict verdict = read("rr:1", value(4));
        assertThat(verdict.action()).isEqualTo(ReplyVerdict.Action.REREAD);
        assertThat(events).as("nothing is reported before the primary answers").isEmpty();

        policy.onReread(verdict, new ByteBuffer[] {value(5)});
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

    @Test
    void failThrowsAMessageThatFollowsKeyPrivacy() {
        install(KeyPrivacy.HASHED);
        write("f:secret", 3);
        ReplyVerdict verdict = read("f:secret", value(2));
        assertThat(verdict.action()).isEqualTo(ReplyVerdict.Action.FAIL);
        assertThat(verdict.failureMessage()).startsWith("StateGuard: stale state for key '")
                .contains("rule f", "GET", "expected version >= 3, observed 2").doesNotContain("secret");
        assertThat(events).singleElement().satisfies(event -> assertThat(event.action()).isEqualTo(GuardAction.FAILED));
    }

    @Test
    void reportPassesTheReplyOnAndReportsIt() {
        install(KeyPrivacy.FULL);
        write("r:1", 3);
        ReplyVerdict verdict = read("r:1", null);
        assertThat(verdict.action()).isEqualTo(ReplyVerdict.Action.PASS);
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
    void aPrimaryServedReplyBelowTheMarkIsAPrimaryRegressionAndResetsTheMark() {
        install(KeyPrivacy.FULL);
        write("p:1", 7);
        ReplyVerdict verdict = read("p:1", value(6));
        assertThat(verdict.action()).as("re-reading the primary cannot help").isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(InconsistencyType.PRIMARY_REGRESSION);
            assertThat(event.servedByPrimary()).isTrue();
        });
        assertThat(read("p:1", value(6)).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(events).as("the primary's version became the mark").hasSize(1);
    }

    @Test
    void aPrimaryBelowTheMarkAfterAReReadIsReportedAsAPrimaryRegression() {
        install(KeyPrivacy.FULL);
        write("rr:1", 5);
        ReplyVerdict verdict = read("rr:1", value(4));
        policy.onReread(verdict, new ByteBuffer[] {value(3)});
        assertThat(events).extracting(Inconsistency::type, Inconsistency::action).containsExactly(
                org.assertj.core.groups.Tuple.tuple(InconsistencyType.VERSION_REGRESSION, GuardAction.REREAD_PRIMARY),
                org.assertj.core.groups.Tuple.tuple(InconsistencyType.PRIMARY_REGRESSION, GuardAction.REREAD_PRIMARY));
    }

    @Test
    void theApplicationsOwnDeleteClearsTheMark() {
        install(KeyPrivacy.FULL);
        write("rr:1", 5);
        TrackedCommand delete = classifier.classify(CommandKind.DELETE, "DEL", connection, 0, args("other", "rr:1"));
        assertThat(delete.keyCount()).isEqualTo(1);
        assertThat(policy.onReply(delete, null, nodes, connection).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(read("rr:1", null).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(events).isEmpty();
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

    @Test
    void aSetNxThatWasNotAppliedLeavesTheMark() {
        install(KeyPrivacy.FULL);
        for (String key : new String[] {"p:nx", "f:nx"}) {
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
        assertThat(read("f:nx", value(5)).action()).as("applied: the mark is 6").isEqualTo(ReplyVerdict.Action.FAIL);
    }

    @Test
    void aSetXxThatWasAppliedRaisesTheMarkAndOneNotAppliedDoesNot() {
        install(KeyPrivacy.FULL);
        write("f:xx", 5);
        reply(written(CommandKind.SET, "SET", "f:xx", v(json(9)), v("XX")), WriteReply.NOT_APPLIED);
        assertThat(read("f:xx", value(5)).action()).isEqualTo(ReplyVerdict.Action.PASS);
        reply(written(CommandKind.SET, "SET", "f:xx", v(json(7)), v("XX")), WriteReply.APPLIED);
        ReplyVerdict verdict = read("f:xx", value(5));
        assertThat(verdict.action()).isEqualTo(ReplyVerdict.Action.FAIL);
        assertThat(verdict.failureMessage()).contains("expected version >= 7, observed 5");
    }

    @Test
    void theLastAppliedWriteSetsTheMarkEvenWhenLower() {
        install(KeyPrivacy.FULL);
        TrackedCommand first = written(CommandKind.SET, "SET", "f:race", v(json(7)));
        TrackedCommand second = written(CommandKind.SET, "SET", "f:race", v(json(8)));
        reply(second, WriteReply.APPLIED);
        reply(first, WriteReply.APPLIED); // its reply arrives last (another connection)
        // The mark follows the last reply: a check may be missed (7 < 8), never a false alarm.
        assertThat(read("f:race", value(7)).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(read("f:race", value(6)).failureMessage()).contains("expected version >= 7, observed 6");
        TrackedCommand mset = written(CommandKind.MSET, "MSET", "f:race", v(json(3)));
        reply(mset, WriteReply.APPLIED);
        assertThat(read("f:race", value(3)).action()).as("an application that starts again at 3 reads its 3")
                .isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(events).extracting(Inconsistency::action).containsExactly(GuardAction.FAILED);
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
        assertThat(read("f:c", value(3)).failureMessage()).contains("expected version >= 4");
        assertThat(read("f:d", null).failureMessage()).contains("expected version >= 6");
        reply(written(CommandKind.SETNX, "SETNX", "f:e", v(json(2))), WriteReply.APPLIED);
        assertThat(read("f:e", value(1)).action()).isEqualTo(ReplyVerdict.Action.FAIL);
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
        write("f:g", 9);
        reply(written(CommandKind.SET, "SET", "f:g", v(json(7)), v("GET")), WriteReply.previous(value(3)));
        assertThat(events).as("an older previous value is the primary's: no event").isEmpty();
        assertThat(read("f:g", value(6)).failureMessage()).as("applied: the value written is the mark")
                .contains("expected version >= 7, observed 6");

        reply(written(CommandKind.GETSET, "GETSET", "f:h", v(json(4))), WriteReply.previous(value(6)));
        assertThat(read("f:h", value(3)).failureMessage()).as("the previous value 6, then the value written")
                .contains("expected version >= 4, observed 3");
        reply(written(CommandKind.GETSET, "GETSET", "f:i", v(json(4))), WriteReply.previous(null));
        assertThat(read("f:i", value(3)).failureMessage()).contains("expected version >= 4, observed 3");

        // With NX or XX, the previous value says whether the write was applied.
        reply(written(CommandKind.SET, "SET", "f:j", v(json(5)), v("NX"), v("GET")), WriteReply.previous(null));
        assertThat(read("f:j", value(4)).action()).as("NX GET, nil before: applied").isEqualTo(
                ReplyVerdict.Action.FAIL);
        reply(written(CommandKind.SET, "SET", "f:k", v(json(5)), v("NX"), v("GET")), WriteReply.previous(value(2)));
        assertThat(read("f:k", value(2)).action()).as("NX GET, a value before: not applied, 2 was shown").isEqualTo(
                ReplyVerdict.Action.PASS);
        assertThat(read("f:k", value(1)).action()).isEqualTo(ReplyVerdict.Action.FAIL);
        reply(written(CommandKind.SET, "SET", "f:l", v(json(5)), v("XX"), v("GET")), WriteReply.previous(null));
        assertThat(read("f:l", null).action()).as("XX GET, nil before: not applied").isEqualTo(
                ReplyVerdict.Action.PASS);
        reply(written(CommandKind.SET, "SET", "f:m", v(json(5)), v("XX"), v("GET")), WriteReply.previous(value(2)));
        assertThat(read("f:m", value(4)).failureMessage()).as("XX GET, a value before: applied")
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
        assertThat(read("f:u", value(3)).action()).isEqualTo(ReplyVerdict.Action.FAIL);
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

    /** After a re-read of several keys, each regression is judged by the primary's value of its own key. */
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
        // The primary has rr:2 at 5 (the replica was behind) but rr:3 at 3: below the mark on the primary.
        policy.onReread(verdict, new ByteBuffer[] {value(5), value(5), value(3)});
        assertThat(events).extracting(e -> new String(e.key(), StandardCharsets.UTF_8) + " " + e.type().label())
                .containsExactly("rr:2 version_regression", "rr:3 version_regression", "rr:3 primary_regression");
    }

    /** A conditional write that was not applied still shows the application the previous value it returned. */
    @Test
    void aPreviousValueReturnedByAWriteThatWasNotAppliedIsAMark() {
        install(KeyPrivacy.FULL);
        reply(written(CommandKind.SET, "SET", "f:prev", v(json(9)), v("NX"), v("GET")), WriteReply.previous(value(6)));
        assertThat(read("f:prev", value(6)).action()).isEqualTo(ReplyVerdict.Action.PASS);
        assertThat(read("f:prev", value(5)).failureMessage()).contains("expected version >= 6, observed 5");
        reply(written(CommandKind.SET, "SET", "f:none", v(json(9)), v("NX"), v("GET")), WriteReply.NOT_APPLIED);
        assertThat(read("f:none", value(1)).action()).as("no previous value: nothing shown, no mark")
                .isEqualTo(ReplyVerdict.Action.PASS);
    }
}
