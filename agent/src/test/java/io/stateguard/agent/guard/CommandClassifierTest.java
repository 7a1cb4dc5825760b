package io.stateguard.agent.guard;

import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.keys.CommandKeyReader;
import io.stateguard.agent.keys.KeyMatcher;
import io.stateguard.agent.keys.KeyPrivacy;
import io.stateguard.agent.routing.RoutingPolicy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Which keys of a command the guard follows, from its name and encoded arguments alone. */
class CommandClassifierTest {

    private final List<Rule> rules = ConfigLoader.load("keys=s:*;version=json:/version;rule.h.keys=h:*"
            + ";rule.h.version=hash:version;rule.plain.keys=p:*;rule.plain.version=none", new HashMap<>(), new Properties()).rules();

    private final CommandClassifier classifier = new CommandClassifier(new VersionGuard(rules, 100, KeyPrivacy.FULL),
            RoutingPolicy.of(rules).matcher());

    /** A client whose commands are arrays of keys: the first accepted one decides. */
    private static final CommandKeyReader KEYS = (command, matcher, accepted) -> {
        for (String key : (String[]) command) {
            int rule = matcher.match(key.getBytes(StandardCharsets.UTF_8));
            if (rule >= 0 && accepted[rule]) {
                return rule;
            }
        }
        return -1;
    };

    private static byte[] b(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void aTimeToLiveDeletesAtOnceOnlyWhenItIsAnIntegerNotAboveZero() {
        for (String deletes : new String[] {"0", "00", "-1", "-250"}) {
            assertThat(CommandClassifier.notPositive(deletes.getBytes(StandardCharsets.US_ASCII))).as(deletes).isTrue();
        }
        for (String keeps : new String[] {"1", "10", "01", "-", "", "-1a", "1-", "+0", "/", ":"}) {
            assertThat(CommandClassifier.notPositive(keeps.getBytes(StandardCharsets.US_ASCII))).as(keeps).isFalse();
        }
        assertThat(CommandClassifier.notPositive(null)).isFalse();
    }

    @Test
    void theQuickLookAnswersSingleKeyCommandsExactlyAndDefersMultiKeyWrites() throws Exception {
        assertThat(classifier.quickLook(CommandKind.GET, KEYS, new String[] {"s:1"})).isEqualTo(0);
        assertThat(classifier.quickLook(CommandKind.GET, KEYS, new String[] {"p:1"}))
                .as("a rule without versions is not tracked").isEqualTo(CommandClassifier.NOT_TRACKED);
        assertThat(classifier.quickLook(CommandKind.MGET, KEYS, new String[] {"x", "s:2"}))
                .isEqualTo(CommandClassifier.UNDECIDED);
        assertThat(classifier.quickLook(CommandKind.MGET, KEYS, new String[] {"x", "y"}))
                .isEqualTo(CommandClassifier.NOT_TRACKED);
        assertThat(classifier.quickLook(CommandKind.MSET, KEYS, new String[] {"x"})).isEqualTo(CommandClassifier.UNDECIDED);
        assertThat(classifier.quickLook(CommandKind.DELETE, KEYS, new String[] {"x"}))
                .isEqualTo(CommandClassifier.UNDECIDED);
    }

    @Test
    void aSingleKeyReadOfAHashRuleIsNotTracked() {
        assertThat(classifier.singleKeyRead("GET", null, 0, 0, b("s:1")).keyCount()).isEqualTo(1);
        assertThat(classifier.singleKeyRead("GET", null, 0, 1, b("h:1"))).isNull();
        assertThat(classifier.singleKeyRead("GET", null, 0, 0, null)).isNull();
    }

    @Test
    void setTracksTheFirstValueAsWritten() {
        TrackedCommand set = classifier.classify(CommandKind.SET, "SET", null, 2,
                new EncodedArguments().add(true, b("s:1")).add(false, b("{\"version\":3}")).add(false, b("PX")));
        assertThat(set.keyCount()).isEqualTo(1);
        assertThat(set.database()).isEqualTo(2);
        assertThat(text(set.written[0])).isEqualTo("{\"version\":3}");
        assertThat(classifier.classify(CommandKind.SET, "SET", null, 0,
                new EncodedArguments().add(true, b("h:1")).add(false, b("v")))).as("SET of a hash rule's key").isNull();
    }

    @Test
    void mgetTracksEachVersionedKeyOnce() {
        TrackedCommand mget = classifier.classify(CommandKind.MGET, "MGET", null, 0, new EncodedArguments()
                .add(true, b("s:1")).add(true, b("x")).add(true, b("s:1")).add(true, b("h:1")).add(true, b("s:2")));
        assertThat(mget.keyCount()).isEqualTo(2);
        assertThat(text(mget.key(0))).isEqualTo("s:1");
        assertThat(text(mget.key(1))).isEqualTo("s:2");
    }

    @Test
    void hashReadsAreTrackedOnlyWhenTheyIncludeTheVersionField() {
        assertThat(classifier.classify(CommandKind.HMGET, "HMGET", null, 0, new EncodedArguments()
                .add(true, b("h:1")).add(true, b("state")).add(true, b("version"))).keyCount()).isEqualTo(1);
        assertThat(classifier.classify(CommandKind.HMGET, "HMGET", null, 0, new EncodedArguments()
                .add(true, b("h:1")).add(true, b("state")))).isNull();
        assertThat(classifier.classify(CommandKind.HGETALL, "HGETALL", null, 0, new EncodedArguments()
                .add(true, b("h:1"))).keyCount()).isEqualTo(1);
        assertThat(classifier.classify(CommandKind.HGETALL, "HGETALL", null, 0, new EncodedArguments()
                .add(true, b("s:1")))).as("HGETALL of a string rule's key").isNull();
    }

    @Test
    void hsetAndMsetTrackWhatTheyWrite() {
        TrackedCommand hset = classifier.classify(CommandKind.HSET, "HSET", null, 0, new EncodedArguments()
                .add(true, b("h:1")).add(true, b("state")).add(false, b("open")).add(true, b("version"))
                .add(false, b("9")));
        assertThat(text(hset.written[0])).isEqualTo("9");
        TrackedCommand mset = classifier.classify(CommandKind.MSET, "MSET", null, 0, new EncodedArguments()
                .add(true, b("x")).add(false, b("1")).add(true, b("s:1")).add(false, b("{\"version\":2}")));
        assertThat(mset.keyCount()).isEqualTo(1);
        assertThat(text(mset.key(0))).isEqualTo("s:1");
        assertThat(text(mset.written[0])).isEqualTo("{\"version\":2}");
    }

    @Test
    void deletesTrackEveryVersionedKeyAndNothingElseIsTracked() {
        TrackedCommand delete = classifier.classify(CommandKind.DELETE, "DEL", null, 0, new EncodedArguments()
                .add(true, b("s:1")).add(true, b("p:1")).add(true, b("h:1")));
        assertThat(delete.keyCount()).isEqualTo(2);
        assertThat(classifier.classify(CommandKind.GET, "GET", null, 0, new EncodedArguments())).isNull();
        assertThat(classifier.classify(CommandKind.GET, "GET", null, 0,
                new EncodedArguments().add(false, b("s:1")))).as("a value first: not a key command").isNull();
    }

    private TrackedCommand set(String... arguments) {
        EncodedArguments encoded = new EncodedArguments().add(true, b(arguments[0]));
        for (int i = 1; i < arguments.length; i++) {
            encoded.add(false, b(arguments[i]));
        }
        return classifier.classify(CommandKind.SET, "SET", null, 0, encoded);
    }

    @Test
    void theConditionalAndValueReturningWritesHaveTheirOwnKinds() {
        assertThat(CommandKind.of("SETNX")).isEqualTo(CommandKind.SETNX);
        assertThat(CommandKind.of("MSETNX")).isEqualTo(CommandKind.MSETNX);
        assertThat(CommandKind.of("HSETNX")).isEqualTo(CommandKind.HSETNX);
        assertThat(CommandKind.of("EXPIRE")).isEqualTo(CommandKind.EXPIRE);
        assertThat(CommandKind.of("PEXPIRE")).isEqualTo(CommandKind.EXPIRE);
        assertThat(CommandKind.of("FLUSHDB")).isEqualTo(CommandKind.FLUSH);
        assertThat(CommandKind.of("FLUSHALL")).isEqualTo(CommandKind.FLUSH);
        assertThat(CommandKind.EXPIRE.isJudgedByReply()).isTrue();
        assertThat(CommandKind.FLUSH.isJudgedByReply()).isFalse();
        EncodedArguments chained = new EncodedArguments().add(true, new byte[] {'k'}).addNumber(new byte[] {'0'})
                .add(false, new byte[] {'v'});
        assertThat(chained.size()).isEqualTo(3);
        assertThat(chained.isNumber(1)).isTrue();
        assertThat(chained.isNumber(2)).isFalse();
        assertThat(CommandKind.of("GETSET")).isEqualTo(CommandKind.GETSET);
        assertThat(CommandKind.of("SETEX")).isEqualTo(CommandKind.SET);
        assertThat(CommandKind.of("HMSET")).isEqualTo(CommandKind.HSET);
        assertThat(CommandKind.of("GETEX")).as("a checked read").isEqualTo(CommandKind.GET);
        assertThat(CommandKind.of("GETDEL")).as("removes the mark").isEqualTo(CommandKind.DELETE);
        for (CommandKind write : new CommandKind[] {CommandKind.SET, CommandKind.SETNX, CommandKind.GETSET,
                CommandKind.MSET, CommandKind.MSETNX, CommandKind.HSET, CommandKind.HSETNX}) {
            assertThat(write.isWrite()).as("%s writes", write).isTrue();
            assertThat(write.isRead()).as("%s does not read", write).isFalse();
        }
        assertThat(CommandKind.GET.isWrite()).isFalse();
        assertThat(CommandKind.DELETE.isWrite()).isFalse();
        assertThat(CommandKind.MSETNX.firstKeyDecides()).isFalse();
        assertThat(CommandKind.SETNX.firstKeyDecides()).isTrue();
        assertThat(CommandKind.HSETNX.firstKeyDecides()).isTrue();
    }

    @Test
    void setOptionsAfterTheValueMakeItConditionalOrReturnThePreviousValue() {
        TrackedCommand plain = set("s:1", "{\"version\":3}", "PX");
        assertThat(plain.condition()).isEqualTo(WriteCondition.ALWAYS);
        assertThat(plain.returnsPrevious()).isFalse();
        TrackedCommand nx = set("s:1", "{\"version\":3}", "EX", "NX");
        assertThat(nx.condition()).isEqualTo(WriteCondition.IF_ABSENT);
        assertThat(text(nx.written[0])).isEqualTo("{\"version\":3}");
        assertThat(set("s:1", "v", "xx").condition()).as("options in any case").isEqualTo(WriteCondition.IF_PRESENT);
        TrackedCommand get = set("s:1", "v", "Get");
        assertThat(get.condition()).isEqualTo(WriteCondition.ALWAYS);
        assertThat(get.returnsPrevious()).isTrue();
        TrackedCommand nxGet = set("s:1", "v", "NX", "GET");
        assertThat(nxGet.condition()).isEqualTo(WriteCondition.IF_ABSENT);
        assertThat(nxGet.returnsPrevious()).isTrue();
        TrackedCommand valueNamedNx = set("s:1", "NX");
        assertThat(valueNamedNx.condition()).as("the value itself is no option").isEqualTo(WriteCondition.ALWAYS);
        assertThat(text(valueNamedNx.written[0])).isEqualTo("NX");
        assertThat(set("s:1", "v", "NXX", "GETS", "N").condition()).as("only whole words").isEqualTo(
                WriteCondition.ALWAYS);
        assertThat(set("s:1", "v", "NXX", "GETS").returnsPrevious()).isFalse();
    }

    @Test
    void setnxGetsetAndMsetnxTrackWhatTheyWriteWithTheirCondition() throws Exception {
        TrackedCommand setnx = classifier.classify(CommandKind.SETNX, "SETNX", null, 0,
                new EncodedArguments().add(true, b("s:1")).add(false, b("{\"version\":4}")));
        assertThat(setnx.condition()).isEqualTo(WriteCondition.IF_ABSENT);
        assertThat(setnx.returnsPrevious()).isFalse();
        assertThat(text(setnx.written[0])).isEqualTo("{\"version\":4}");
        TrackedCommand getset = classifier.classify(CommandKind.GETSET, "GETSET", null, 0,
                new EncodedArguments().add(true, b("s:1")).add(false, b("{\"version\":4}")));
        assertThat(getset.condition()).isEqualTo(WriteCondition.ALWAYS);
        assertThat(getset.returnsPrevious()).isTrue();
        assertThat(classifier.quickLook(CommandKind.MSETNX, KEYS, new String[] {"x"}))
                .isEqualTo(CommandClassifier.UNDECIDED);
        TrackedCommand msetnx = classifier.classify(CommandKind.MSETNX, "MSETNX", null, 0, new EncodedArguments()
                .add(true, b("s:1")).add(false, b("{\"version\":2}")).add(true, b("x")).add(false, b("1"))
                .add(true, b("s:2")).add(false, b("{\"version\":5}")));
        assertThat(msetnx.keyCount()).isEqualTo(2);
        assertThat(msetnx.condition()).isEqualTo(WriteCondition.IF_ABSENT);
        assertThat(text(msetnx.key(1))).isEqualTo("s:2");
        assertThat(text(msetnx.written[1])).isEqualTo("{\"version\":5}");
        assertThat(classifier.classify(CommandKind.MSET, "MSET", null, 0, new EncodedArguments()
                .add(true, b("s:1")).add(false, b("v"))).condition()).isEqualTo(WriteCondition.ALWAYS);
    }

    @Test
    void hsetnxIsTrackedOnlyForTheVersionField() {
        TrackedCommand version = classifier.classify(CommandKind.HSETNX, "HSETNX", null, 0, new EncodedArguments()
                .add(true, b("h:1")).add(true, b("version")).add(false, b("4")));
        assertThat(version.condition()).isEqualTo(WriteCondition.IF_ABSENT);
        assertThat(text(version.written[0])).isEqualTo("4");
        assertThat(classifier.classify(CommandKind.HSETNX, "HSETNX", null, 0, new EncodedArguments()
                .add(true, b("h:1")).add(true, b("state")).add(false, b("open")))).isNull();
        assertThat(classifier.classify(CommandKind.HSET, "HSET", null, 0, new EncodedArguments()
                .add(true, b("h:1")).add(true, b("version")).add(false, b("4"))).condition())
                .isEqualTo(WriteCondition.ALWAYS);
        assertThat(classifier.classify(CommandKind.SETNX, "SETNX", null, 0, new EncodedArguments()
                .add(true, b("h:1")).add(false, b("4")))).as("SETNX of a hash rule's key").isNull();
    }
}
