package io.stateguard.agent.versions;

import static io.stateguard.agent.versions.Extraction.extract;
import static io.stateguard.agent.versions.Extraction.failure;
import static io.stateguard.agent.versions.Extraction.version;
import static io.stateguard.agent.versions.VersionFailure.BINARY;
import static io.stateguard.agent.versions.VersionFailure.NOT_FOUND;
import static io.stateguard.agent.versions.VersionFailure.NOT_NUMERIC;
import static io.stateguard.agent.versions.VersionFailure.NO_SOURCE;
import static io.stateguard.agent.versions.VersionFailure.OVERFLOW;
import static io.stateguard.agent.versions.VersionFailure.TOO_LARGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stateguard.agent.versions.VersionSpec.Kind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VersionSpecTest {

    @Test
    void parsesEveryKind() {
        assertThat(VersionSpec.parse("none").kind()).isEqualTo(Kind.NONE);
        assertThat(VersionSpec.parse("json:/version").kind()).isEqualTo(Kind.JSON);
        assertThat(VersionSpec.parse("hash:version").kind()).isEqualTo(Kind.HASH);
        assertThat(VersionSpec.parse("regex:v=(\\d+)").kind()).isEqualTo(Kind.REGEX);
        assertThat(VersionSpec.parse("JSON:/v").kind()).isEqualTo(Kind.JSON);
        assertThat(VersionSpec.parse("None")).isSameAs(VersionSpec.none());
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "json:", "json:/version", "json:/a~1b/0/~0", "hash:version", "hash:a:b",
        "regex:v=(\\d+)", "regex:"})
    void toStringIsTheConfigurationFormAndParsesBack(String text) {
        if (text.equals("regex:")) {
            return; // has no group: see rejectsInvalidSources
        }
        VersionSpec spec = VersionSpec.parse(text);
        assertThat(spec).hasToString(text);
        assertThat(VersionSpec.parse(spec.toString())).isEqualTo(spec).hasSameHashCodeAs(spec);
    }

    @Test
    void equalityCoversKindArgumentAndLimit() {
        assertThat(VersionSpec.parse("json:/v")).isEqualTo(VersionSpec.parse("JSON:/v"))
                .isNotEqualTo(VersionSpec.parse("json:/w"))
                .isNotEqualTo(VersionSpec.parse("hash:/v"))
                .isNotEqualTo(VersionSpec.parse("json:/v", 10));
        assertThat(VersionSpec.parse("json:/v").maxValueBytes()).isEqualTo(VersionSpec.DEFAULT_MAX_VALUE_BYTES);
        assertThat(VersionSpec.parse("json:/v", 10).maxValueBytes()).isEqualTo(10);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "json:/a~2       | invalid JSON Pointer '/a~2': ~ must be followed by 0 or 1",
        "json:/a~        | invalid JSON Pointer '/a~': ~ must be followed by 0 or 1",
        "json:version    | invalid JSON Pointer 'version': must be empty or start with '/' (did you mean '/version'?)",
        "json:#/version  | invalid JSON Pointer '#/version': must be empty or start with '/'",
        "json            | version source 'json' needs an argument: json:<pointer>, e.g. json:/version",
        "hash            | version source 'hash' needs an argument: hash:<field>, e.g. hash:version",
        "regex           | version source 'regex' needs an argument: regex:<pattern>",
        "hash:           | version source 'hash:' needs a field name",
        "regex:v=\\d+    | regex has no capture group: 'v=\\d+'",
        "regex:(?:v=\\d+) | regex has no capture group",
        "regex:          | regex has no capture group",
        "regex:v=(\\d+   | invalid regex 'v=(\\d+': Unclosed group",
        "xml:/a          | unknown version source 'xml:/a' (expected none, json:<pointer>, hash:<field>, regex:<pattern>)",
        "nothing         | unknown version source 'nothing' (expected none, json:<pointer>, hash:<field>, regex:<pattern>)",
        "`none `         | unknown version source 'none '",
        "``              | unknown version source ''",
    })
    void rejectsInvalidSources(String text, String message) {
        assertThatThrownBy(() -> VersionSpec.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void rejectsUnpairedSurrogatesAndBadLimits() {
        assertThatThrownBy(() -> VersionSpec.parse("json:/a\uD800")).hasMessageContaining("unpaired surrogate at index 2");
        assertThatThrownBy(() -> VersionSpec.parse("hash:\uDC00")).hasMessageContaining("unpaired surrogate at index 0");
        assertThatThrownBy(() -> VersionSpec.parse("json:/v", 0)).hasMessageContaining("maxValueBytes must be at least 1");
        assertThatThrownBy(() -> VersionSpec.parse(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void noneReadsNothing() {
        VersionSpec none = VersionSpec.none();
        assertThat(none.maxValueBytes()).isZero();
        assertThat(extract("none", "7")).isEqualTo(failure(NO_SOURCE));
        assertThat(none.isHashField(ByteBuffer.wrap(new byte[0]))).isFalse();
        assertThatThrownBy(none::hashField).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void hashSpecMatchesItsFieldName() {
        VersionSpec spec = VersionSpec.parse("hash:vérsion");
        assertThat(spec.hashField()).isEqualTo("vérsion");
        byte[] field = "vérsion".getBytes(StandardCharsets.UTF_8);
        assertThat(spec.hashFieldBytes()).isEqualTo(field).isNotSameAs(spec.hashFieldBytes());
        assertThat(spec.isHashField(field, 0, field.length)).isTrue();
        assertThat(spec.isHashField(field, 0, field.length - 1)).isFalse();
        ByteBuffer direct = ByteBuffer.allocateDirect(field.length + 2);
        direct.put((byte) 'x').put(field).put((byte) 'y').position(1).limit(1 + field.length);
        assertThat(spec.isHashField(direct)).isTrue();
        assertThat(direct.position()).isEqualTo(1);
        assertThat(spec.isHashField(ByteBuffer.wrap("version".getBytes(StandardCharsets.UTF_8)))).isFalse();
        assertThat(VersionSpec.parse("json:/v").isHashField(field, 0, field.length)).isFalse();
        assertThatThrownBy(() -> VersionSpec.parse("json:/v").hashFieldBytes()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void hashValuesArePlainIntegers() {
        assertThat(extract("hash:v", "7")).isEqualTo(version(7));
        assertThat(extract("hash:v", "-7")).isEqualTo(version(-7));
        assertThat(extract("hash:v", "007")).isEqualTo(version(7));
        assertThat(extract("hash:v", "-0")).isEqualTo(version(0));
        assertThat(extract("hash:v", "9223372036854775807")).isEqualTo(version(Long.MAX_VALUE));
        assertThat(extract("hash:v", "-9223372036854775808")).isEqualTo(version(Long.MIN_VALUE));
        assertThat(extract("hash:v", "9223372036854775808")).isEqualTo(failure(OVERFLOW));
        assertThat(extract("hash:v", "-9223372036854775809")).isEqualTo(failure(OVERFLOW));
        assertThat(extract("hash:v", "99999999999999999999999999")).isEqualTo(failure(OVERFLOW));
        // A non-digit anywhere makes it not numeric, even after the digits overflowed.
        assertThat(extract("hash:v", "99999999999999999999999999x")).isEqualTo(failure(NOT_NUMERIC));
        for (String text : new String[] {"", "-", "+7", " 7", "7 ", "7\n", "7.0", "1e3", "0x10", "1_000", "--7", "٣"}) {
            assertThat(extract("hash:v", text)).as("'%s'", text).isEqualTo(failure(NOT_NUMERIC));
        }
        assertThat(extract("hash:v", new byte[] {'1', (byte) 0xFF})).isEqualTo(failure(NOT_NUMERIC));
        assertThat(extract(VersionSpec.parse("hash:v", 3), "1234".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(failure(TOO_LARGE));
    }

    @Test
    void regexReadsTheFirstGroupOfTheFirstMatch() {
        assertThat(extract("regex:\"version\":\\s*(\\d+)", "{\"state\":\"open\",\"version\": 42}")).isEqualTo(version(42));
        assertThat(extract("regex:v=(-?\\d+)", "a v=-3 v=9")).isEqualTo(version(-3));
        assertThat(extract("regex:(\\d+)-(\\d+)", "10-20")).isEqualTo(version(10));
        assertThat(extract("regex:^(\\d+)$", "9223372036854775807")).isEqualTo(version(Long.MAX_VALUE));
        assertThat(extract("regex:(-?\\d+)", "-9223372036854775808")).isEqualTo(version(Long.MIN_VALUE));
        assertThat(extract("regex:(\\d+)", "9223372036854775808")).isEqualTo(failure(OVERFLOW));
        // Non-ASCII text is decoded: the pattern sees characters, not UTF-8 bytes (here 2 + 3 + 4).
        assertThat(extract("regex:^.{3}(\\d+)", "é€😀12")).isEqualTo(version(12));
        assertThat(extract("regex:^.{9}(\\d+)", "é€😀12")).isEqualTo(failure(NOT_FOUND));
        assertThat(extract("regex:é(\\d+)", "xé5")).isEqualTo(version(5));
    }

    @Test
    void regexFailures() {
        assertThat(extract("regex:v=(\\d+)", "no version here")).isEqualTo(failure(NOT_FOUND));
        assertThat(extract("regex:v=(\\d+)", "")).isEqualTo(failure(NOT_FOUND));
        assertThat(extract("regex:v=(\\w+)", "v=abc")).isEqualTo(failure(NOT_NUMERIC));
        assertThat(extract("regex:v=(\\d*)", "v=")).isEqualTo(failure(NOT_NUMERIC));
        assertThat(extract("regex:v=(\\S+)", "v=+1")).isEqualTo(failure(NOT_NUMERIC));
        // An optional first group that does not take part in the match.
        assertThat(extract("regex:(?:v=(\\d+))?x", "x")).isEqualTo(failure(NOT_FOUND));
        assertThat(extract("regex:v=(\\d+)", new byte[] {'v', '=', '1', (byte) 0xC0, (byte) 0x80})).isEqualTo(failure(BINARY));
    }

    @Test
    void regexThatRecursesTooDeeplyFailsInsteadOfThrowing() {
        // java.util.regex recurses once per repetition of a group with alternation.
        byte[] value = "ab".repeat(500_000).getBytes(StandardCharsets.US_ASCII);
        VersionSpec spec = VersionSpec.parse("regex:^(?:a|b)*(\\d+)");
        VersionReading reading = new VersionReading();
        boolean[] found = {true};
        assertThatCode(() -> found[0] = spec.extract(value, 0, value.length, reading)).doesNotThrowAnyException();
        assertThat(reading.failure()).isIn(TOO_LARGE, NOT_FOUND);
        assertThat(found[0]).as("a failed reading is reported as not found").isFalse();
    }

    @Tag("slow") // many random cases or threads: left out of mutation testing (benchmarks/mutation.sh)
    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(7);
        VersionSpec[] specs = {VersionSpec.parse("hash:v"), VersionSpec.parse("regex:v=(\\d+)"), VersionSpec.none()};
        for (int round = 0; round < 1000; round++) {
            byte[] bytes = new byte[random.nextInt(100)];
            random.nextBytes(bytes);
            for (VersionSpec spec : specs) {
                assertThatCode(() -> Extraction.extract(spec, bytes)).doesNotThrowAnyException();
            }
        }
    }

    @Test
    void readingRefusesToReturnAVersionAfterAFailure() {
        VersionReading reading = new VersionReading();
        assertThat(reading.ok()).isFalse();
        assertThat(reading.failure()).isEqualTo(NO_SOURCE);
        VersionSpec spec = VersionSpec.parse("hash:v");
        assertThat(spec.extract("5".getBytes(StandardCharsets.US_ASCII), 0, 1, reading)).isTrue();
        assertThat(reading.version()).isEqualTo(5);
        assertThat(reading.failure()).isNull();
        assertThat(reading).hasToString("VersionReading{version=5}");
        assertThat(spec.extract("x".getBytes(StandardCharsets.US_ASCII), 0, 1, reading)).isFalse();
        assertThatThrownBy(reading::version).isInstanceOf(IllegalStateException.class).hasMessage("no version: not_numeric");
        assertThat(reading).hasToString("VersionReading{failure=not_numeric}");
        assertThat(VersionFailure.MALFORMED_JSON.label()).isEqualTo("malformed_json");
    }

    /** A syntax error at the very first char of the regex still names its index (0). */
    @Test
    void aRegexErrorAtIndexZeroNamesTheIndex() {
        assertThatThrownBy(() -> VersionSpec.parse("regex:*(x)")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid regex '*(x)': Dangling meta character '*' near index 0");
    }

    /** A spec never equals an object of another type, not even its own configuration text. */
    @Test
    void aSpecEqualsOnlySpecs() {
        VersionSpec spec = VersionSpec.parse("json:/v");
        assertThat(spec.equals("json:/v")).isFalse();
        assertThat(spec.equals(null)).isFalse();
        assertThat(spec.equals(VersionSpec.parse("json:/v"))).isTrue();
    }

    /** A lone minus sign is not a number, in every source that reads decimals. */
    @Test
    void aLoneMinusSignIsNotNumeric() {
        assertThat(extract("regex:v=(\\S+)", "v=-")).isEqualTo(failure(NOT_NUMERIC));
        assertThat(extract("regex:v=(\\S+)", "v=-1")).isEqualTo(version(-1));
        assertThat(extract("json:/v", "{\"v\":\"-\"}")).isEqualTo(failure(NOT_NUMERIC));
    }
}
