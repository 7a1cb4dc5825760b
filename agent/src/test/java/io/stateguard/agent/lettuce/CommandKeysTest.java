package io.stateguard.agent.lettuce;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.stateguard.agent.keys.KeyMatcher;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs against real Lettuce {@link CommandArgs}, built the way Lettuce's command builder builds them. */
class CommandKeysTest {

    private static final boolean[] BOTH = {true, true};

    private final KeyMatcher matcher = KeyMatcher.builder().add("gw:state:*", 0).add("gw:instance:*", 1).build();

    private int match(CommandType type, CommandArgs<?, ?> args) throws ReflectiveOperationException {
        return CommandKeys.firstAcceptedRule(type, args, matcher, BOTH);
    }

    @Test
    void firstKeyOfAStringCommand() throws Exception {
        assertThat(match(CommandType.GET, new CommandArgs<>(StringCodec.UTF8).addKey("gw:state:a"))).isEqualTo(0);
        assertThat(match(CommandType.GET, new CommandArgs<>(StringCodec.UTF8).addKey("gw:cache:a"))).isEqualTo(-1);
    }

    @Test
    void firstKeyBytesAreWhatTheCodecSends() throws Exception {
        assertThat(CommandKeys.firstKeyBytes(new CommandArgs<>(StringCodec.UTF8).addKey("gw:\u00e9tat:a")))
                .isEqualTo("gw:\u00e9tat:a".getBytes(StandardCharsets.UTF_8));
        ByteBuffer ascii = StringCodec.ASCII.encodeKey("gw:\u00e9tat:a");
        byte[] expected = new byte[ascii.remaining()];
        ascii.get(expected);
        assertThat(CommandKeys.firstKeyBytes(new CommandArgs<>(StringCodec.ASCII).addKey("gw:\u00e9tat:a")))
                .as("what the codec itself encodes").isEqualTo(expected);
        byte[] raw = {1, 2, (byte) 0xFF};
        assertThat(CommandKeys.firstKeyBytes(new CommandArgs<>(ByteArrayCodec.INSTANCE).addKey(raw)
                .addValue(new byte[] {9}))).isEqualTo(raw);
        assertThat(CommandKeys.firstKeyBytes(new CommandArgs<>(StringCodec.UTF8).addValue("v").addKey("k")))
                .as("a value first: not a key command").isNull();
        assertThat(CommandKeys.firstKeyBytes(new CommandArgs<>(StringCodec.UTF8).add(5))).isNull();
        assertThat(CommandKeys.firstKeyBytes(null)).isNull();
    }

    @Test
    void theSameShapesServeSeveralCodecsInTurn() throws Exception {
        // The one-entry caches in front of the per-class lookups must not mix codecs up.
        for (int i = 0; i < 3; i++) {
            assertThat(match(CommandType.GET, new CommandArgs<>(StringCodec.UTF8).addKey("gw:state:a"))).isEqualTo(0);
            assertThat(match(CommandType.GET, new CommandArgs<>(ByteArrayCodec.INSTANCE)
                    .addKey("gw:state:a".getBytes(StandardCharsets.UTF_8)))).isEqualTo(0);
            assertThat(match(CommandType.GET, new CommandArgs<>(StringCodec.ASCII).addKey("gw:stat\u00e9:a")))
                    .isEqualTo(-1);
        }
    }

    @Test
    void nonUtf8StringCodecIsMatchedOnItsEncodedBytes() throws Exception {
        // Each codec below sends other bytes than UTF-8 would for the same String: matching the String's
        // UTF-8 bytes instead of the codec's gives the opposite answer in the lines that expect -1.
        KeyMatcher accented = KeyMatcher.builder().add("gw:\u00e9tat:*", 0).build(); // UTF-8: C3 A9
        // Lettuce's US-ASCII StringCodec sends a char as its low byte: 'é' is the one byte E9.
        assertThat(CommandKeys.firstAcceptedRule(CommandType.GET,
                new CommandArgs<>(StringCodec.ASCII).addKey("gw:\u00e9tat:a"), accented, BOTH)).isEqualTo(-1);
        assertThat(CommandKeys.firstAcceptedRule(CommandType.GET,
                new CommandArgs<>(StringCodec.UTF8).addKey("gw:\u00e9tat:a"), accented, BOTH)).isEqualTo(0);
        // ISO-8859-1 sends 'é' as E9 too.
        StringCodec latin1 = new StringCodec(StandardCharsets.ISO_8859_1);
        assertThat(CommandKeys.firstAcceptedRule(CommandType.GET,
                new CommandArgs<>(latin1).addKey("gw:\u00e9tat:a"), accented, BOTH)).isEqualTo(-1);
        assertThat(CommandKeys.firstKeyBytes(new CommandArgs<>(latin1).addKey("gw:\u00e9tat:a")))
                .isEqualTo(new byte[] {'g', 'w', ':', (byte) 0xE9, 't', 'a', 't', ':', 'a'});
        assertThat(CommandKeys.firstKeyBytes(new CommandArgs<>(StringCodec.ASCII).addKey("gw:\u00e9tat:a")))
                .isEqualTo(new byte[] {'g', 'w', ':', (byte) 0xE9, 't', 'a', 't', ':', 'a'});

        // UTF-16 sends two bytes per character (after a byte order mark): no ASCII pattern matches it.
        StringCodec utf16 = new StringCodec(StandardCharsets.UTF_16);
        assertThat(match(CommandType.GET, new CommandArgs<>(utf16).addKey("gw:state:a"))).isEqualTo(-1);
        assertThat(CommandKeys.firstKeyBytes(new CommandArgs<>(utf16).addKey("gw:state:a")))
                .isEqualTo("gw:state:a".getBytes(StandardCharsets.UTF_16));
    }

    @Test
    void byteArrayCodecAsSpringDataRedisUsesIt() throws Exception {
        byte[] key = "gw:instance:7".getBytes(StandardCharsets.UTF_8);
        assertThat(match(CommandType.HGET, new CommandArgs<>(ByteArrayCodec.INSTANCE).addKey(key)
                .addKey("creds".getBytes(StandardCharsets.UTF_8)))).isEqualTo(1);
    }

    @Test
    void customCodecIsMatchedOnWhatItEncodes() throws Exception {
        RedisCodec<String, String> prefixing = new RedisCodec<String, String>() {
            @Override
            public String decodeKey(ByteBuffer bytes) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String decodeValue(ByteBuffer bytes) {
                throw new UnsupportedOperationException();
            }

            @Override
            public ByteBuffer encodeKey(String key) {
                return ByteBuffer.wrap(("gw:" + key).getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public ByteBuffer encodeValue(String value) {
                return ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8));
            }
        };
        // "state:x" is sent as "gw:state:x": a match only if the codec's bytes are used.
        assertThat(match(CommandType.GET, new CommandArgs<>(prefixing).addKey("state:x"))).isEqualTo(0);
        assertThat(match(CommandType.GET, new CommandArgs<>(prefixing).addKey("instance:x"))).isEqualTo(1);
        assertThat(match(CommandType.GET, new CommandArgs<>(prefixing).addKey("other:x"))).isEqualTo(-1);
        // and "gw:state:x" is sent as "gw:gw:state:x", which matches no pattern, although its UTF-8 would
        assertThat(match(CommandType.GET, new CommandArgs<>(prefixing).addKey("gw:state:x"))).isEqualTo(-1);
        assertThat(CommandKeys.firstKeyBytes(new CommandArgs<>(prefixing).addKey("state:x")))
                .isEqualTo("gw:state:x".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void hashFieldsAreNotKeys() throws Exception {
        // Lettuce adds HGET/HMGET fields as key arguments; a field that looks like a state key must not count.
        CommandArgs<String, String> hget = new CommandArgs<>(StringCodec.UTF8).addKey("gw:cache:a").addKey("gw:state:x");
        assertThat(match(CommandType.HGET, hget)).isEqualTo(-1);
        CommandArgs<String, String> hmget = new CommandArgs<>(StringCodec.UTF8).addKey("gw:cache:a")
                .addKeys("f1", "gw:state:x");
        assertThat(match(CommandType.HMGET, hmget)).isEqualTo(-1);
    }

    @Test
    void anyKeyOfAMultiKeyRead() throws Exception {
        CommandArgs<String, String> mget = new CommandArgs<>(StringCodec.UTF8).addKeys("gw:cache:a", "gw:other", "gw:instance:1");
        assertThat(match(CommandType.MGET, mget)).isEqualTo(1);
        CommandArgs<String, String> exists = new CommandArgs<>(StringCodec.UTF8).addKeys("gw:cache:a", "gw:state:9");
        assertThat(match(CommandType.EXISTS, exists)).isEqualTo(0);
        CommandArgs<String, String> none = new CommandArgs<>(StringCodec.UTF8).addKeys("gw:cache:a", "gw:cache:b");
        assertThat(match(CommandType.MGET, none)).isEqualTo(-1);
    }

    @Test
    void onlyAcceptedRulesCount() throws Exception {
        CommandArgs<String, String> mget = new CommandArgs<>(StringCodec.UTF8).addKeys("gw:state:a", "gw:instance:1");
        assertThat(CommandKeys.firstAcceptedRule(CommandType.MGET, mget, matcher, new boolean[] {false, true}))
                .isEqualTo(1);
        assertThat(CommandKeys.firstAcceptedRule(CommandType.GET,
                new CommandArgs<>(StringCodec.UTF8).addKey("gw:state:a"), matcher, new boolean[] {false, true}))
                .isEqualTo(-1);
    }

    @Test
    void commandsWithoutKeysOrArgs() throws Exception {
        assertThat(match(CommandType.PING, null)).isEqualTo(-1);
        assertThat(match(CommandType.INFO, new CommandArgs<>(StringCodec.UTF8).add("replication"))).isEqualTo(-1);
        // a key-less argument that looks like a state key is not a key
        assertThat(match(CommandType.ECHO, new CommandArgs<>(StringCodec.UTF8).addValue("gw:state:x"))).isEqualTo(-1);
    }

    @Test
    void multiKeyTable() {
        assertThat(CommandKeys.isMultiKey("MGET")).isTrue();
        assertThat(CommandKeys.isMultiKey("EXISTS")).isTrue();
        assertThat(CommandKeys.isMultiKey("HMGET")).isFalse();
        assertThat(CommandKeys.isMultiKey("GET")).isFalse();
    }
}
