package io.stateguard.agent.keys;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class KeyPrivacyTest {

    private static final byte[] KEY = "evolution:state:inst1".getBytes(StandardCharsets.UTF_8);

    @Test
    void parsesTheThreeModesCaseInsensitively() {
        assertThat(KeyPrivacy.parse(" Full ")).isEqualTo(KeyPrivacy.FULL);
        assertThat(KeyPrivacy.parse("HASHED")).isEqualTo(KeyPrivacy.HASHED);
        assertThat(KeyPrivacy.parse("none")).isEqualTo(KeyPrivacy.NONE);
        assertThat(KeyPrivacy.parse("hash")).isNull();
        assertThat(KeyPrivacy.parse(null)).isNull();
    }

    @Test
    void hashIsStableShortAndHidesTheKey() {
        String hash = KeyPrivacy.HASHED.attribute(KEY, null);
        // echo -n evolution:state:inst1 | sha256sum, first 16 hex digits
        assertThat(hash).matches("sha256:[0-9a-f]{16}").isEqualTo(KeyPrivacy.hash(KEY.clone()))
                .doesNotContain("evolution").doesNotContain("inst1");
        assertThat(KeyPrivacy.hash("other".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(hash);
    }

    @Test
    void fullIsTheKeyAndNoneIsNothing() {
        assertThat(KeyPrivacy.FULL.attribute(KEY, null)).isEqualTo("evolution:state:inst1");
        assertThat(KeyPrivacy.FULL.attribute(KEY, "given")).isEqualTo("given");
        assertThat(KeyPrivacy.NONE.attribute(KEY, "given")).isNull();
    }
}
