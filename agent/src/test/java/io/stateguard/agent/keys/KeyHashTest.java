package io.stateguard.agent.keys;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class KeyHashTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "gw:state:inst1", "é", "ü€", "\uD83D\uDE00 emoji", "lone \uD800 high", "lone \uDC00 low",
            "\u07FF\u0800\uFFFF"})
    void aStringHashesAsItsUtf8Bytes(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        assertThat(KeyHash.ofUtf8(key)).isEqualTo(KeyHash.of(bytes, 0, bytes.length));
        assertThat(KeyHash.ofUtf8(key)).isNotIn(KeyHash.NONE, KeyHash.MANY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "b", "gw:state:1", "gw:state:2"})
    void differentKeysHashDifferently(String key) {
        assertThat(KeyHash.ofUtf8(key)).isNotEqualTo(KeyHash.ofUtf8(key + "x"));
    }
}
