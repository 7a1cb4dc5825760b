package io.stateguard.agent.redisson;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.stateguard.agent.keys.KeyHash;
import io.stateguard.agent.keys.KeyMatcher;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Which of a Redisson command's parameters are keys, in the forms Redisson passes them. */
class RedissonKeysTest {

    private final KeyMatcher matcher = KeyMatcher.builder().add("gw:state:*", 0).add("gw:cache:*", 1).build();

    private final boolean[] both = {true, true};

    private final boolean[] stateOnly = {true, false};

    private int rule(String name, Object... params) {
        return RedissonKeys.READER.firstAcceptedRule(RedissonKeys.Read.command(name, params), matcher, both);
    }

    @Test
    void theFirstParameterIsTheKeyOfMostCommandsInEveryForm() {
        assertThat(rule("GET", "gw:state:a")).isZero();
        assertThat(rule("GET", "gw:state:a".getBytes(StandardCharsets.UTF_8))).as("Spring Data's byte[]").isZero();
        ByteBuf direct = Unpooled.directBuffer().writeBytes("xxgw:state:a".getBytes(StandardCharsets.UTF_8));
        direct.skipBytes(2);
        assertThat(rule("GET", direct)).as("a direct ByteBuf from its reader index").isZero();
        assertThat(direct.readerIndex()).as("the reader index does not move").isEqualTo(2);
        ByteBuf heap = Unpooled.wrappedBuffer("--gw:cache:b".getBytes(StandardCharsets.UTF_8)).skipBytes(2);
        assertThat(rule("GET", heap)).isEqualTo(1);
        assertThat(rule("GET", "other")).isEqualTo(-1);
        assertThat(rule("GET", 42L)).as("not a key name").isEqualTo(-1);
        assertThat(rule("GET")).isEqualTo(-1);
        direct.release();
    }

    @Test
    void aHashFieldIsNoKeyButEveryKeyOfAMultiKeyCommandIs() {
        assertThat(rule("HGET", "other", "gw:state:a")).isEqualTo(-1);
        assertThat(rule("HGET", "gw:state:h", "field")).isZero();
        assertThat(rule("MGET", "other", "gw:state:a")).isZero();
        assertThat(rule("EXISTS", "other", "more", "gw:cache:x")).isEqualTo(1);
    }

    @Test
    void aScriptsKeysAreTheNumberOfKeysAfterTheScriptNotItsArguments() {
        assertThat(rule("EVAL", "return 1", 2, "other", "gw:state:a", "gw:cache:arg")).isZero();
        assertThat(rule("EVALSHA_RO", "abc", 1L, "other", "gw:state:arg")).as("an argument").isEqualTo(-1);
        assertThat(rule("EVAL", "gw:state:script", 0)).isEqualTo(-1);
        assertThat(rule("EVAL", "return 1")).isEqualTo(-1);
        assertThat(RedissonKeys.READER.firstAcceptedRule(RedissonKeys.Read.keys(new Object[] {"other", "gw:state:k"}),
                matcher, both)).isZero();
    }

    @Test
    void aKeyOfARuleNotAcceptedIsSkipped() {
        assertThat(RedissonKeys.READER.firstAcceptedRule(
                RedissonKeys.Read.command("MGET", new Object[] {"gw:cache:a", "gw:state:b"}), matcher, stateOnly))
                .isZero();
        assertThat(RedissonKeys.READER.firstAcceptedRule(
                RedissonKeys.Read.command("GET", new Object[] {"gw:cache:a"}), matcher, stateOnly)).isEqualTo(-1);
    }

    @Test
    void keyHashesAreThoseOfTheBytesRedisReceives() {
        long utf8 = KeyHash.ofUtf8("gw:state:ä");
        byte[] bytes = "gw:state:ä".getBytes(StandardCharsets.UTF_8);
        ByteBuf buffer = Unpooled.copiedBuffer(bytes);
        assertThat(RedissonKeys.READER.keyHash(RedissonKeys.Read.command("GET", new Object[] {"gw:state:ä"})))
                .isEqualTo(utf8).isEqualTo(KeyHash.of(bytes, 0, bytes.length));
        assertThat(RedissonKeys.READER.keyHash(RedissonKeys.Read.command("GET", new Object[] {bytes}))).isEqualTo(utf8);
        assertThat(RedissonKeys.READER.keyHash(RedissonKeys.Read.command("HGET", new Object[] {buffer, "field"})))
                .as("a hash field is no key").isEqualTo(utf8);
        assertThat(buffer.readerIndex()).isZero();
        assertThat(RedissonKeys.READER.keyHash(RedissonKeys.Read.command("MGET", new Object[] {"a", "b"})))
                .isEqualTo(KeyHash.MANY);
        assertThat(RedissonKeys.READER.keyHash(RedissonKeys.Read.command("PING", new Object[0])))
                .isEqualTo(KeyHash.NONE);
        assertThat(RedissonKeys.READER.keyHash(RedissonKeys.Read.command("GET", new Object[] {42})))
                .as("not a key Redisson sends as a name: unreadable, the safe side").isEqualTo(KeyHash.MANY);
        assertThat(RedissonKeys.READER.keyHash(RedissonKeys.Read.command("EVALSHA",
                new Object[] {"sha", 1, "gw:state:ä", "arg"}))).as("a script's one key").isEqualTo(utf8);
    }

    @Test
    void aWriteOfSeveralKeysMatchesByAnyOfThem() {
        boolean[] all = {true, true};
        assertThat(RedissonKeys.READER.firstAcceptedRule(RedissonKeys.Read.command("MSET",
                new Object[] {"other", "1", "gw:state:a", "2"}), matcher, all)).isZero();
        assertThat(RedissonKeys.READER.firstAcceptedRule(RedissonKeys.Read.command("DEL",
                new Object[] {"other", "gw:state:a"}), matcher, all)).isZero();
        assertThat(RedissonKeys.READER.firstAcceptedRule(RedissonKeys.Read.command("SET",
                new Object[] {"other", "gw:state:a"}), matcher, all)).as("a value is no key").isEqualTo(-1);
    }

    @Test
    void writtenKeyHashesNameEveryKeyOrNoneWhenOneIsUnreadable() {
        assertThat(RedissonKeys.READER.writtenKeyHashes(RedissonKeys.Read.command("SET", new Object[] {"a", "v"})))
                .containsExactly(KeyHash.ofUtf8("a"));
        assertThat(RedissonKeys.READER.writtenKeyHashes(RedissonKeys.Read.command("MSET",
                new Object[] {"a", "1", "b", "2"}))).as("MSET's parameters are all taken for keys: values too,"
                        + " which only costs replica reads").contains(KeyHash.ofUtf8("a"), KeyHash.ofUtf8("b"));
        assertThat(RedissonKeys.READER.writtenKeyHashes(RedissonKeys.Read.command("DEL", new Object[] {"a", "b"})))
                .containsExactly(KeyHash.ofUtf8("a"), KeyHash.ofUtf8("b"));
        assertThat(RedissonKeys.READER.writtenKeyHashes(RedissonKeys.Read.command("SUNIONSTORE",
                new Object[] {"dest", "a", "b"}))).contains(KeyHash.ofUtf8("dest"));
        assertThat(RedissonKeys.READER.writtenKeyHashes(RedissonKeys.Read.keys(new Object[] {"a", new Object()})))
                .isNull();
    }
}
