package io.stateguard.agent.redisson;

import io.netty.buffer.ByteBuf;
import io.stateguard.agent.api.StaleStateException;
import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.guard.CommandClassifier;
import io.stateguard.agent.guard.CommandKind;
import io.stateguard.agent.guard.GuardRuntime;
import io.stateguard.agent.guard.RegressionPolicy;
import io.stateguard.agent.guard.ReplyVerdict;
import io.stateguard.agent.guard.TrackedCommand;
import io.stateguard.agent.guard.VersionGuard;
import io.stateguard.agent.guard.WriteCondition;
import io.stateguard.agent.guard.WriteReply;
import io.stateguard.agent.internal.AgentLogCapture;
import io.stateguard.agent.keys.KeyPrivacy;
import io.stateguard.agent.redisson.RedissonFollowing.Followed;
import io.stateguard.agent.routing.RoutingPolicy;
import io.stateguard.agent.versions.VersionFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.client.codec.StringCodec;
import org.redisson.client.protocol.CommandData;
import org.redisson.client.protocol.RedisCommand;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static io.stateguard.agent.redisson.RespDecoding.array;
import static io.stateguard.agent.redisson.RespDecoding.bulk;
import static io.stateguard.agent.redisson.RespDecoding.decode;
import static io.stateguard.agent.redisson.RespDecoding.resp;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Redisson's success of a followed command says to the guard: a write's reply ({@code writeReply}) and a
 * read's values ({@code values}), from tracked commands the guard's real classifier made of Redisson's parameters
 * and raw replies read from real buffers.
 */
class RedissonCompletionTest {

    /** Rule 0 versions strings, rule 1 hashes (field {@code version}); both checked on replicas. */
    private final List<Rule> rules = ConfigLoader.load("keys=gw:state:*;version=json:/version;routing=replica-checked"
            + ";rule.h.keys=gw:hash:*;rule.h.version=hash:version;rule.h.routing=replica-checked", new HashMap<>(),
            new Properties()).rules();

    private final VersionGuard versions = new VersionGuard(rules, 100, KeyPrivacy.FULL);

    private final RoutingPolicy routing = RoutingPolicy.of(rules);

    private final CommandClassifier classifier = new CommandClassifier(versions, routing.matcher());

    private final AtomicInteger tooLarge = new AtomicInteger();

    /** Stands for the connection a command went out on. */
    private final Object connection = new Object();

    @AfterEach
    void uninstall() {
        GuardRuntime.uninstall();
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    /** What the adapter's dispatch makes of a Redisson command: its parameters classified by the guard. */
    private TrackedCommand tracked(String name, Object... params) {
        CommandKind kind = CommandKind.of(name);
        return classifier.classify(kind, name, connection, 0, RedissonArguments.of(kind, params));
    }

    private static Followed followed(TrackedCommand tracked, RedissonReply reply, int... positions) {
        assertThat(tracked).as("tracked").isNotNull();
        return new Followed(tracked, reply, positions, null, null, null, null, null);
    }

    private static Followed followedWithCodec(TrackedCommand tracked, RedissonReply reply, Object codec,
            int... positions) {
        return new Followed(tracked, reply, positions, null, null, codec, null, null);
    }

    private RedissonReply single(int cap, String raw) {
        RedissonReply reply = RedissonReply.single(cap, tooLarge::incrementAndGet);
        if (raw != null) {
            decode(reply, resp(raw));
        }
        return reply;
    }

    private static ByteBuf value(String text) {
        return resp(text);
    }

    // --- writeReply: from Redisson's decoded result -----------------------------------------------------

    @Test
    void anUnconditionalSetIsAppliedWhenRedissonDecodedOkToNothing() {
        TrackedCommand set = tracked("SET", "gw:state:a", value("{\"version\":5}"));
        assertThat(set.condition()).isEqualTo(WriteCondition.ALWAYS);
        assertThat(set.returnsPrevious()).isFalse();
        assertThat(RedissonCompletion.writeReply(followed(set, null), null)).isSameAs(WriteReply.APPLIED);
    }

    @Test
    void aConditionalSetWithoutAResultIsUnreadableNotApplied() {
        TrackedCommand nx = tracked("SET", "gw:state:a", value("{\"version\":5}"), "PX", 1000L, "NX");
        assertThat(nx.condition()).isEqualTo(WriteCondition.IF_ABSENT);
        assertThat(RedissonCompletion.writeReply(followed(nx, null), null)).isSameAs(WriteReply.UNREADABLE);

        TrackedCommand xx = tracked("SET", "gw:state:a", value("{\"version\":5}"), "XX");
        assertThat(xx.condition()).isEqualTo(WriteCondition.IF_PRESENT);
        assertThat(RedissonCompletion.writeReply(followed(xx, null), null)).isSameAs(WriteReply.UNREADABLE);
    }

    @Test
    void aBooleanSaysWhetherTheWriteWasApplied() {
        for (TrackedCommand write : new TrackedCommand[] {
                tracked("SET", "gw:state:a", value("{\"version\":5}"), "NX"),
                tracked("SETNX", "gw:state:a", value("{\"version\":5}")),
                tracked("HSETNX", "gw:hash:a", "version", "5"),
                tracked("MSETNX", "gw:state:a", value("{\"version\":5}"), "gw:state:b", value("{\"version\":1}")),
                tracked("PEXPIRE", "gw:state:a", 0L)}) {
            assertThat(RedissonCompletion.writeReply(followed(write, null), Boolean.TRUE)).as(write.operation())
                    .isSameAs(WriteReply.APPLIED);
            assertThat(RedissonCompletion.writeReply(followed(write, null), Boolean.FALSE)).as(write.operation())
                    .isSameAs(WriteReply.NOT_APPLIED);
        }
    }

    @Test
    void aCountIsAppliedWhenItIsNotZero() {
        Followed hset = followed(tracked("HSET", "gw:hash:a", "version", "5", "name", "x"), null);
        assertThat(RedissonCompletion.writeReply(hset, 1L)).isSameAs(WriteReply.APPLIED);
        assertThat(RedissonCompletion.writeReply(hset, 2)).isSameAs(WriteReply.APPLIED);
        assertThat(RedissonCompletion.writeReply(hset, -1L)).isSameAs(WriteReply.APPLIED);
        assertThat(RedissonCompletion.writeReply(hset, 0L)).isSameAs(WriteReply.NOT_APPLIED);
        assertThat(RedissonCompletion.writeReply(hset, 0)).isSameAs(WriteReply.NOT_APPLIED);
    }

    @Test
    void okInAnyCaseIsAppliedAndAnyOtherTextOrObjectIsUnreadable() {
        Followed set = followed(tracked("SET", "gw:state:a", value("{\"version\":5}")), null);
        assertThat(RedissonCompletion.writeReply(set, "OK")).isSameAs(WriteReply.APPLIED);
        assertThat(RedissonCompletion.writeReply(set, "ok")).isSameAs(WriteReply.APPLIED);
        assertThat(RedissonCompletion.writeReply(set, "QUEUED")).isSameAs(WriteReply.UNREADABLE);
        assertThat(RedissonCompletion.writeReply(set, "")).isSameAs(WriteReply.UNREADABLE);
        assertThat(RedissonCompletion.writeReply(set, 1.0d)).isSameAs(WriteReply.UNREADABLE);
        assertThat(RedissonCompletion.writeReply(set, Arrays.asList("OK"))).isSameAs(WriteReply.UNREADABLE);
    }

    // --- writeReply: the previous value, read raw --------------------------------------------------------

    @Test
    void aGetsetGivesThePreviousValueAsRedisSentIt() {
        TrackedCommand getset = tracked("GETSET", "gw:state:a", value("{\"version\":5}"));
        assertThat(getset.returnsPrevious()).isTrue();
        WriteReply reply = RedissonCompletion.writeReply(followed(getset, single(100, bulk("{\"version\":4}")), 0),
                "whatever the codec made of it");
        assertThat(reply.isPrevious()).isTrue();
        assertThat(reply.acknowledged()).isFalse();
        assertThat(RespDecoding.text(reply.previous())).isEqualTo("{\"version\":4}");
    }

    @Test
    void aGetsetOfAKeyThatDidNotExistGivesANilPreviousValue() {
        TrackedCommand getset = tracked("GETSET", "gw:state:a", value("{\"version\":5}"));
        for (String nil : new String[] {"$-1\r\n", "_\r\n"}) {
            WriteReply reply = RedissonCompletion.writeReply(followed(getset, single(100, nil), 0), null);
            assertThat(reply.isPrevious()).as(nil).isTrue();
            assertThat(reply.previous()).as(nil).isNull();
        }
    }

    @Test
    void aSetWithGetReadsThePreviousValueToo() {
        TrackedCommand setGet = tracked("SET", "gw:state:a", value("{\"version\":5}"), "NX", "GET");
        assertThat(setGet.returnsPrevious()).isTrue();
        assertThat(setGet.condition()).isEqualTo(WriteCondition.IF_ABSENT);
        WriteReply reply = RedissonCompletion.writeReply(followed(setGet, single(100, bulk("{\"version\":9}")), 0),
                null);
        assertThat(RespDecoding.text(reply.previous())).isEqualTo("{\"version\":9}");
    }

    @Test
    void aPreviousValueNotReadIsUnreadable() {
        TrackedCommand getset = tracked("GETSET", "gw:state:a", value("{\"version\":5}"));
        assertThat(RedissonCompletion.writeReply(followed(getset, null), "x")).as("no reply kept")
                .isSameAs(WriteReply.UNREADABLE);
        assertThat(RedissonCompletion.writeReply(followed(getset, single(100, null), 0), "x"))
                .as("never decoded").isSameAs(WriteReply.UNREADABLE);
        assertThat(RedissonCompletion.writeReply(followed(getset, single(100, "+OK\r\n"), 0), "OK"))
                .as("a status where a value was expected").isSameAs(WriteReply.UNREADABLE);
        assertThat(RedissonCompletion.writeReply(followed(getset, single(100, array(bulk("a"))), 0), "x"))
                .as("an array").isSameAs(WriteReply.UNREADABLE);
    }

    @Test
    void aPreviousValueOverTheCapIsUnreadable() {
        TrackedCommand getset = tracked("GETSET", "gw:state:a", value("{\"version\":5}"));
        WriteReply reply = RedissonCompletion.writeReply(followed(getset, single(5, bulk("{\"version\":4}")), 0),
                "x");
        assertThat(reply).isSameAs(WriteReply.UNREADABLE);
        assertThat(tooLarge).hasValue(1);
    }

    @Test
    void anAppliedWriteRaisesTheMarkThatAnOlderReplicaReadIsHeldTo() {
        GuardRuntime.install(versions, routing.matcher());
        GuardRuntime guard = GuardRuntime.current();
        TrackedCommand set = tracked("SET", "gw:state:a", value("{\"version\":5}"));
        guard.policy().onWriteReply(set, RedissonCompletion.writeReply(followed(set, null), null));

        TrackedCommand get = tracked("GET", "gw:state:a");
        Followed read = followed(get, single(100, bulk("{\"version\":4}")), 0);
        ByteBuffer[] values = RedissonCompletion.values(guard, read, read.reply, "{\"version\":4}");
        ReplyVerdict verdict = guard.policy().onReply(get, values, null, null);
        assertThat(verdict.action()).isEqualTo(ReplyVerdict.Action.REREAD);

        TrackedCommand fresh = tracked("GET", "gw:state:a");
        Followed current = followed(fresh, single(100, bulk("{\"version\":5}")), 0);
        assertThat(guard.policy().onReply(fresh, RedissonCompletion.values(guard, current, current.reply, "v5"),
                null, null).action()).isEqualTo(ReplyVerdict.Action.PASS);
    }

    @Test
    void aConditionalWriteWithoutAResultRaisesNoMark() {
        GuardRuntime.install(versions, routing.matcher());
        GuardRuntime guard = GuardRuntime.current();
        TrackedCommand nx = tracked("SET", "gw:state:b", value("{\"version\":5}"), "NX");
        guard.policy().onWriteReply(nx, RedissonCompletion.writeReply(followed(nx, null), null));

        TrackedCommand get = tracked("GET", "gw:state:b");
        Followed read = followed(get, single(100, bulk("{\"version\":4}")), 0);
        assertThat(guard.policy().onReply(get, RedissonCompletion.values(guard, read, read.reply, "v4"), null, null)
                .action()).isEqualTo(ReplyVerdict.Action.PASS);
    }

    // --- values: a single value ---------------------------------------------------------------------------

    @Test
    void aSingleValuePresentInBothTheRawAndTheDecodedReplyIsHandedOver() {
        TrackedCommand get = tracked("GET", "gw:state:a");
        RedissonReply reply = single(100, bulk("{\"version\":3}"));
        ByteBuffer[] values = RedissonCompletion.values(null, followed(get, reply, 0), reply, "{\"version\":3}");
        assertThat(values).hasSize(1);
        assertThat(RespDecoding.text(values[0])).isEqualTo("{\"version\":3}");
    }

    @Test
    void aSingleNilInBothIsNil() {
        TrackedCommand get = tracked("GET", "gw:state:a");
        for (String nil : new String[] {"$-1\r\n", "_\r\n"}) {
            RedissonReply reply = single(100, nil);
            ByteBuffer[] values = RedissonCompletion.values(null, followed(get, reply, 0), reply, null);
            assertThat(values).as(nil).containsExactly((ByteBuffer) null);
        }
    }

    @Test
    void aSingleValueTheRawAndDecodedRepliesDisagreeOnIsNotChecked() {
        TrackedCommand get = tracked("GET", "gw:state:a");
        RedissonReply present = single(100, bulk("{\"version\":3}"));
        assertThat(RedissonCompletion.values(null, followed(get, present, 0), present, null))
                .as("present raw, null decoded").isNull();
        RedissonReply nil = single(100, "$-1\r\n");
        assertThat(RedissonCompletion.values(null, followed(get, nil, 0), nil, "decoded"))
                .as("nil raw, a decoded value").isNull();
    }

    @Test
    void aSingleValueOverTheCapIsUnreadable() {
        TrackedCommand get = tracked("GET", "gw:state:a");
        RedissonReply reply = single(3, bulk("{\"version\":3}"));
        ByteBuffer[] values = RedissonCompletion.values(null, followed(get, reply, 0), reply, "{\"version\":3}");
        assertThat(values).hasSize(1);
        assertThat(values[0]).isSameAs(RegressionPolicy.UNREADABLE);
    }

    @Test
    void anHgetOfTheVersionFieldIsASingleValue() {
        TrackedCommand hget = tracked("HGET", "gw:hash:a", value("version"));
        assertThat(hget.keyCount()).isEqualTo(1);
        RedissonReply reply = single(100, bulk("17"));
        assertThat(RespDecoding.text(RedissonCompletion.values(null, followed(hget, reply, 0), reply, "17")[0])).isEqualTo("17");
    }

    @Test
    void aReplyNotReadIsNotChecked() {
        TrackedCommand get = tracked("GET", "gw:state:a");
        assertThat(RedissonCompletion.values(null, followed(get, null), null, "x")).as("no reply").isNull();
        RedissonReply never = single(100, null);
        assertThat(RedissonCompletion.values(null, followed(get, never, 0), never, "x")).as("never decoded")
                .isNull();
        RedissonReply status = single(100, "+OK\r\n");
        assertThat(RedissonCompletion.values(null, followed(get, status, 0), status, "OK")).as("a status").isNull();
        RedissonReply error = single(100, "-WRONGTYPE Operation against a key\r\n");
        assertThat(RedissonCompletion.values(null, followed(get, error, 0), error, null)).as("an error").isNull();
    }

    // --- values: arrays and hashes ----------------------------------------------------------------------

    @Test
    void mgetValuesAreTakenFromEachTrackedKeysPosition() {
        TrackedCommand mget = tracked("MGET", "gw:state:a", "other", "gw:state:b", "gw:state:a");
        assertThat(mget.keyCount()).as("a key named twice is tracked once").isEqualTo(2);
        RedissonReply reply = RedissonReply.array(new boolean[] {true, false, true, false}, 100,
                tooLarge::incrementAndGet);
        decode(reply, resp(array(bulk("{\"version\":1}"), bulk("not tracked"), "$-1\r\n", bulk("{\"version\":1}"))));
        ByteBuffer[] values = RedissonCompletion.values(null, followed(mget, reply, 0, 2), reply,
                Arrays.asList("{\"version\":1}", "not tracked", null, "{\"version\":1}"));
        assertThat(values).hasSize(2);
        assertThat(RespDecoding.text(values[0])).isEqualTo("{\"version\":1}");
        assertThat(values[1]).as("nil").isNull();
    }

    @Test
    void aTrackedKeyWithoutAPositionIsUnreadable() {
        TrackedCommand mget = tracked("MGET", "gw:state:a", "gw:state:b");
        RedissonReply reply = RedissonReply.array(new boolean[] {true, false}, 100, tooLarge::incrementAndGet);
        decode(reply, resp(array(bulk("{\"version\":1}"), bulk("{\"version\":2}"))));
        ByteBuffer[] values = RedissonCompletion.values(null, followed(mget, reply, 0, -1), reply, null);
        assertThat(RespDecoding.text(values[0])).isEqualTo("{\"version\":1}");
        assertThat(values[1]).isSameAs(RegressionPolicy.UNREADABLE);
    }

    @Test
    void anMgetValueOverTheCapIsUnreadableAndTheOthersAreRead() {
        TrackedCommand mget = tracked("MGET", "gw:state:a", "gw:state:b");
        RedissonReply reply = RedissonReply.array(new boolean[] {true, true}, 13, tooLarge::incrementAndGet);
        decode(reply, resp(array(bulk("{\"version\":12345}"), bulk("{\"version\":2}"))));
        ByteBuffer[] values = RedissonCompletion.values(null, followed(mget, reply, 0, 1), reply, null);
        assertThat(values[0]).isSameAs(RegressionPolicy.UNREADABLE);
        assertThat(RespDecoding.text(values[1])).isEqualTo("{\"version\":2}");
        assertThat(tooLarge).hasValue(1);
    }

    @Test
    void anHmgetValueIsTheVersionFieldsPosition() {
        TrackedCommand hmget = tracked("HMGET", "gw:hash:a", "name", value("version"));
        assertThat(hmget.keyCount()).isEqualTo(1);
        RedissonReply reply = RedissonReply.array(new boolean[] {false, true}, 100, tooLarge::incrementAndGet);
        decode(reply, resp(array(bulk("n"), bulk("8"))));
        ByteBuffer[] values = RedissonCompletion.values(null, followed(hmget, reply, 1), reply,
                Arrays.asList("n", "8"));
        assertThat(values).hasSize(1);
        assertThat(RespDecoding.text(values[0])).isEqualTo("8");
    }

    @Test
    void anArrayOfAnotherShapeIsNotChecked() {
        TrackedCommand mget = tracked("MGET", "gw:state:a", "gw:state:b");
        RedissonReply reply = RedissonReply.array(new boolean[] {true, true}, 100, tooLarge::incrementAndGet);
        decode(reply, resp(array(bulk("{\"version\":1}"), array(bulk("nested")))));
        assertThat(RedissonCompletion.values(null, followed(mget, reply, 0, 1), reply, null)).isNull();
    }

    @Test
    void anHgetallValueIsTheVersionFieldsValue() {
        TrackedCommand hgetall = tracked("HGETALL", "gw:hash:a");
        assertThat(hgetall.keyCount()).isEqualTo(1);
        RedissonReply reply = RedissonReply.fields("version".getBytes(StandardCharsets.UTF_8), 100,
                tooLarge::incrementAndGet);
        decode(reply, resp(array(bulk("name"), bulk("x"), bulk("version"), bulk("21"))));
        ByteBuffer[] values = RedissonCompletion.values(null, followed(hgetall, reply, 0), reply, new HashMap<>());
        assertThat(RespDecoding.text(values[0])).isEqualTo("21");

        RedissonReply without = reply.fresh();
        decode(without, resp(array(bulk("name"), bulk("x"))));
        assertThat(RedissonCompletion.values(null, followed(hgetall, without, 0), without, new HashMap<>()))
                .containsExactly((ByteBuffer) null);
    }

    // --- the codec notice -----------------------------------------------------------------------------------

    @Test
    void aValueWhoseVersionTheCodecHidesIsSaidOncePerCodec() {
        GuardRuntime.install(versions, routing.matcher());
        GuardRuntime guard = GuardRuntime.current();
        TrackedCommand get = tracked("GET", "gw:state:a");
        ByteArrayCodec codec = new ByteArrayCodec();
        List<ByteBuffer[]> results = new ArrayList<>();
        List<String> log = AgentLogCapture.capture(() -> {
            for (int i = 0; i < 3; i++) {
                RedissonReply reply = single(100, bulk("\u0001binary kryo"));
                results.add(RedissonCompletion.values(guard, followedWithCodec(get, reply, codec, 0), reply, new byte[1]));
            }
        });
        assertThat(results).allSatisfy(values -> assertThat(RespDecoding.text(values[0])).isEqualTo("\u0001binary kryo"));
        assertThat(String.join("\n", log)).contains(ByteArrayCodec.class.getName()).contains("cannot be read");
        assertThat(log.stream().filter(line -> line.contains(ByteArrayCodec.class.getName()))).hasSize(1);
    }

    @Test
    void aCodecThatWritesTextIsNotMentioned() {
        GuardRuntime.install(versions, routing.matcher());
        GuardRuntime guard = GuardRuntime.current();
        TrackedCommand get = tracked("GET", "gw:state:a");
        RedissonReply reply = single(100, bulk("{\"version\":3}"));
        List<String> log = AgentLogCapture.capture(() -> assertThat(RedissonCompletion.values(guard,
                followedWithCodec(get, reply, new StringCodec(), 0), reply, "{\"version\":3}")).hasSize(1));
        assertThat(log).noneMatch(line -> line.contains(StringCodec.class.getName()));
    }

    // --- the guard's own counter, and the decoder's entry -----------------------------------------------------

    @Test
    void aValueOverTheCapIsCountedOnceInTheGuardsUncheckedValues() {
        GuardRuntime.install(versions, routing.matcher());
        GuardRuntime guard = GuardRuntime.current();
        long before = versions.unchecked(VersionFailure.TOO_LARGE);
        RedissonReply reply = RedissonReply.single(4, guard.tooLargeCounter());
        ByteBuf whole = resp(bulk("{\"version\":3}"));
        reply.element(whole.duplicate().writerIndex(6), true, 0);
        reply.element(whole, true, 0);
        assertThat(versions.unchecked(VersionFailure.TOO_LARGE)).isEqualTo(before + 1);
    }

    @Test
    void theDecoderEntersTheReplyOfAFollowedCommandAtTheTopAndAtEachPosition() {
        Object[] params = {"gw:state:a", "gw:state:b"};
        TrackedCommand mget = tracked("MGET", params);
        RedissonReply reply = RedissonReply.array(new boolean[] {false, true}, 100, tooLarge::incrementAndGet);
        RedissonFollowing.FOLLOWED.put(params, followed(mget, reply, -1, 1));
        try {
            CommandData<Object, Object> data = new CommandData<>(new CompletableFuture<>(), StringCodec.INSTANCE,
                    new RedisCommand<>("MGET"), params);
            ByteBuf in = resp(array(bulk("a"), bulk("b")));
            RedissonFollowing.onDecode(in, data, null);
            List<Object> parts = new ArrayList<>();
            in.readerIndex("*2\r\n".length());
            RedissonFollowing.onDecode(in, data, parts);
            parts.add("a");
            in.readerIndex(in.readerIndex() + bulk("a").length());
            RedissonFollowing.onDecode(in, data, parts);
            assertThat(reply.readable()).isTrue();
            assertThat(reply.slot(0)).isNull();
            assertThat(RespDecoding.text(reply.slot(1))).isEqualTo("b");

            CommandData<Object, Object> other = new CommandData<>(new CompletableFuture<>(), StringCodec.INSTANCE,
                    new RedisCommand<>("MGET"), new Object[] {"gw:state:a", "gw:state:b"});
            RedissonFollowing.onDecode(resp("*0\r\n"), other, null);
            assertThat(RespDecoding.text(reply.slot(1))).as("another parameter array is another command").isEqualTo("b");
        } finally {
            RedissonFollowing.FOLLOWED.remove(params);
        }
    }

    // --- the rest of the completion's surface ------------------------------------------------------------------

    @Test
    void aRegressionFailsWithRedissonsExceptionCausedByTheAgentsStaleStateException() {
        RuntimeException failure = RedissonCompletion.staleState("stale gw:state:a");
        assertThat(failure).isInstanceOf(org.redisson.client.RedisException.class).hasMessage("stale gw:state:a");
        assertThat(failure.getCause()).isInstanceOf(StaleStateException.class).hasMessage("stale gw:state:a");
    }

    @Test
    void aSuccessIsLeftToRedissonWhenNothingIsFollowedOrItIsNoExecutor() {
        CompletableFuture<Object> promise = new CompletableFuture<>();
        assertThat(RedissonCompletion.onSuccess(new Object(), promise, null, "x")).isFalse();
        GuardRuntime.install(versions, routing.matcher());
        Object[] params = {"gw:state:a"};
        RedissonFollowing.FOLLOWED.put(params, followed(tracked("GET", params), single(100, bulk("v")), 0));
        try {
            assertThat(RedissonCompletion.onSuccess(new Object(), promise, null, "x")).as("not a RedisExecutor")
                    .isFalse();
        } finally {
            RedissonFollowing.FOLLOWED.remove(params);
        }
        assertThat(promise).isNotDone();
    }
}
