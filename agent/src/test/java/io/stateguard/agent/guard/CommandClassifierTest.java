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
}
