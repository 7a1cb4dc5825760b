package io.stateguard.agent.versions;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static io.stateguard.agent.versions.Extraction.extract;
import static io.stateguard.agent.versions.Extraction.failure;
import static io.stateguard.agent.versions.Extraction.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** UTF-8 well-formedness at every boundary, array indexes of pointers, hash fields and source arguments. */
class VersionSourcesTest {

    /** The sequence followed by continuation bytes beyond {@code end}: reading past the end would complete it. */
    private static int length(int... sequence) {
        ByteBuffer buffer = ByteBuffer.allocate(sequence.length + 3);
        for (int b : sequence) {
            buffer.put((byte) b);
        }
        buffer.put((byte) 0x80).put((byte) 0x80).put((byte) 0x80);
        return Utf8.sequenceLength(buffer, 0, sequence.length);
    }

    @Test
    void wellFormedUtf8SequencesAtEveryBoundary() {
        assertThat(length(0x00)).isEqualTo(1);
        assertThat(length(0x7F)).isEqualTo(1);
        assertThat(length(0x80)).as("stray continuation").isZero();
        assertThat(length(0xC1, 0xBF)).as("overlong").isZero();
        assertThat(length(0xC2, 0x80)).isEqualTo(2);
        assertThat(length(0xDF, 0xBF)).isEqualTo(2);
        assertThat(length(0xC2)).as("cut off").isZero();
        assertThat(length(0xC2, 0x41)).isZero();
        assertThat(length(0xC2, 0xC0)).isZero();
        assertThat(length(0xE0, 0x9F, 0x80)).as("overlong").isZero();
        assertThat(length(0xE0, 0xA0, 0x80)).isEqualTo(3);
        assertThat(length(0xE1, 0x80, 0x80)).isEqualTo(3);
        assertThat(length(0xE1, 0x7F, 0x80)).isZero();
        assertThat(length(0xE1, 0xBF, 0xBF)).isEqualTo(3);
        assertThat(length(0xE1, 0xC0, 0x80)).isZero();
        assertThat(length(0xED, 0x9F, 0xBF)).isEqualTo(3);
        assertThat(length(0xED, 0xA0, 0x80)).as("surrogate").isZero();
        assertThat(length(0xEF, 0xBF, 0xBF)).isEqualTo(3);
        assertThat(length(0xE1, 0x80)).as("cut off").isZero();
        assertThat(length(0xE1, 0x80, 0x41)).isZero();
        assertThat(length(0xF0, 0x8F, 0xBF, 0xBF)).as("overlong").isZero();
        assertThat(length(0xF0, 0x90, 0x80, 0x80)).isEqualTo(4);
        assertThat(length(0xF3, 0xBF, 0xBF, 0xBF)).isEqualTo(4);
        assertThat(length(0xF4, 0x8F, 0xBF, 0xBF)).isEqualTo(4);
        assertThat(length(0xF4, 0x90, 0x80, 0x80)).as("above U+10FFFF").isZero();
        assertThat(length(0xF1, 0x7F, 0x80, 0x80)).isZero();
        assertThat(length(0xF1, 0xC0, 0x80, 0x80)).isZero();
        assertThat(length(0xF1, 0x80, 0x80)).as("cut off").isZero();
        assertThat(length(0xF1, 0x80, 0x41, 0x80)).isZero();
        assertThat(length(0xF1, 0x80, 0x80, 0x41)).isZero();
        assertThat(length(0xF5, 0x80, 0x80, 0x80)).isZero();
        assertThat(length(0xFF)).isZero();
    }

    @Test
    void textIsClassifiedWithinItsRange() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {(byte) 0xFF, 'a', 'b', (byte) 0xC3, (byte) 0xA9, (byte) 0xC3});
        assertThat(Utf8.classify(b, 1, 3)).isEqualTo(Utf8.ASCII);
        assertThat(Utf8.classify(b, 1, 1)).isEqualTo(Utf8.ASCII);
        assertThat(Utf8.classify(b, 1, 5)).isEqualTo(Utf8.NON_ASCII);
        assertThat(Utf8.classify(b, 3, 5)).isEqualTo(Utf8.NON_ASCII);
        assertThat(Utf8.classify(b, 0, 3)).isEqualTo(Utf8.INVALID);
        assertThat(Utf8.classify(b, 1, 4)).as("a lead byte cut off by the end").isEqualTo(Utf8.INVALID);
        assertThat(Utf8.classify(b, 1, 6)).isEqualTo(Utf8.INVALID);
    }

    @Test
    void arrayIndexesOfAPointer() {
        assertThat(JsonPointer.parse("/0").index(0)).isEqualTo(0);
        assertThat(JsonPointer.parse("/9").index(0)).isEqualTo(9);
        assertThat(JsonPointer.parse("/10").index(0)).isEqualTo(10);
        assertThat(JsonPointer.parse("/2147483647").index(0)).isEqualTo(Integer.MAX_VALUE);
        assertThat(JsonPointer.parse("/1000000000").index(0)).isEqualTo(1_000_000_000);
        for (String notAnIndex : new String[] {"", "01", "00", "-1", "1a", "a", "/", ":", "2147483648", "9999999999",
            "12345678901"}) {
            String token = notAnIndex.replace("/", "~1");
            assertThat(JsonPointer.parse("/" + token).index(0)).as(notAnIndex).isEqualTo(JsonPointer.NOT_AN_INDEX);
        }
        assertThat(extract("json:/10", "[0,1,2,3,4,5,6,7,8,9,10]")).isEqualTo(version(10));
        assertThat(extract("json:/11", "[0,1,2,3,4,5,6,7,8,9,10]")).isEqualTo(failure(VersionFailure.NOT_FOUND));
    }

    @Test
    void hashFieldNamesAndComparisons() {
        VersionSpec spec = VersionSpec.parse("hash:v\u00e9");
        assertThat(spec.hashField()).isEqualTo("v\u00e9");
        byte[] field = "v\u00e9".getBytes(StandardCharsets.UTF_8);
        assertThat(spec.hashFieldBytes()).isEqualTo(field);
        spec.hashFieldBytes()[0] = 'x';
        assertThat(spec.hashFieldBytes()).as("a copy each time").isEqualTo(field);

        byte[] padded = {'a', 'v', (byte) 0xC3, (byte) 0xA9, 'b'};
        assertThat(spec.isHashField(padded, 1, 3)).isTrue();
        assertThat(spec.isHashField(padded, 0, 3)).isFalse();
        assertThat(spec.isHashField(padded, 1, 4)).isFalse();
        assertThat(spec.isHashField(padded, 1, 2)).isFalse();
        assertThat(spec.isHashField(ByteBuffer.wrap(padded, 1, 3))).isTrue();
        assertThat(spec.isHashField(ByteBuffer.wrap(padded, 1, 4))).isFalse();
        assertThat(spec.isHashField(ByteBuffer.wrap(padded, 0, 3))).isFalse();
        assertThat(spec.isHashField(ByteBuffer.wrap(new byte[] {'v', (byte) 0xC3, (byte) 0xAA}))).isFalse();
        assertThat(spec.isHashField(new byte[] {'v', (byte) 0xC3, (byte) 0xAA}, 0, 3)).isFalse();
        for (int[] bad : new int[][] {{-1, 1}, {0, -1}, {3, 3}, {6, 0}}) {
            assertThatThrownBy(() -> spec.isHashField(padded, bad[0], bad[1])).as("%d,%d", bad[0], bad[1])
                    .isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessage("offset " + bad[0] + ", length " + bad[1] + ", array length 5");
        }
        assertThat(spec.isHashField(padded, 5, 0)).isFalse();
    }

    @Test
    void hashFieldsMustBeWellFormedText() {
        assertThat(VersionSpec.parse("hash:\uD83D\uDE00").hashField()).isEqualTo("\uD83D\uDE00");
        assertThat(VersionSpec.parse("hash:a\uD83D\uDE00b").hashFieldBytes())
                .isEqualTo("a\uD83D\uDE00b".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> VersionSpec.parse("hash:a\uD800")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid hash field 'a\uD800': unpaired surrogate at index 1");
        assertThatThrownBy(() -> VersionSpec.parse("hash:\uDE00x")).hasMessage(
                "invalid hash field '\uDE00x': unpaired surrogate at index 0");
        assertThatThrownBy(() -> VersionSpec.parse("hash:a\uD83D\uDE00\uD800")).hasMessage(
                "invalid hash field 'a\uD83D\uDE00\uD800': unpaired surrogate at index 3");
        assertThatThrownBy(() -> VersionSpec.parse("hash:\uD800\uD800")).hasMessage(
                "invalid hash field '\uD800\uD800': unpaired surrogate at index 0");
        assertThatThrownBy(() -> VersionSpec.parse("hash:")).hasMessage(
                "version source 'hash:' needs a field name, e.g. hash:version");
    }

    @Test
    void theValueSizeLimitMustBePositive() {
        assertThat(VersionSpec.parse("json:/v", 1)).isNotNull();
        assertThatThrownBy(() -> VersionSpec.parse("json:/v", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxValueBytes must be at least 1, not 0");
        assertThatThrownBy(() -> VersionSpec.parse(null, 10)).isInstanceOf(NullPointerException.class).hasMessage("value");
        VersionSpec one = VersionSpec.parse("regex:(\\d)", 1);
        VersionReading reading = new VersionReading();
        assertThat(one.extract(new byte[] {'7'}, 0, 1, reading)).isTrue();
        assertThat(reading.version()).isEqualTo(7);
        assertThat(one.extract(new byte[] {'7', '8'}, 0, 2, reading)).isFalse();
        assertThat(reading.failure()).isEqualTo(VersionFailure.TOO_LARGE);
    }

    @Test
    void regexVersionsOnEveryKindOfText() {
        assertThat(extract("regex:v=(\\d+)", "state v=17 open")).isEqualTo(version(17));
        assertThat(extract("regex:v=(-?\\d+)", "\u00e9t\u00e9 v=-17")).as("non-ASCII text").isEqualTo(version(-17));
        assertThat(extract("regex:v=(\\d+)", new byte[] {'v', '=', '1', (byte) 0xFF})).isEqualTo(
                failure(VersionFailure.BINARY));
        assertThat(extract("regex:v=(\\d+)", "no version")).isEqualTo(failure(VersionFailure.NOT_FOUND));
        assertThat(extract("regex:(x)?v=(\\d+)", "v=3")).as("the first group took no part")
                .isEqualTo(failure(VersionFailure.NOT_FOUND));
        assertThat(extract("regex:v=(\\w+)", "v=abc")).isEqualTo(failure(VersionFailure.NOT_NUMERIC));
        assertThat(extract("regex:v=(\\d+)", "v=99999999999999999999")).isEqualTo(failure(VersionFailure.OVERFLOW));
        assertThatThrownBy(() -> VersionSpec.parse("regex:v=\\d+")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("regex has no capture group: 'v=\\d+' (the version is the first group, e.g. regex:v=(\\d+))");
        assertThatThrownBy(() -> VersionSpec.parse("regex:(")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid regex '(': Unclosed group near index 1");
    }

    /** NUL and the other control bytes are ASCII text. */
    @Test
    void controlBytesAreAscii() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {'a', 0, 'b', 0x7F, 0});
        assertThat(Utf8.classify(b, 0, 5)).isEqualTo(Utf8.ASCII);
        assertThat(Utf8.classify(b, 1, 2)).isEqualTo(Utf8.ASCII);
    }

    /** The in-place ASCII view the regex source matches on keeps to its range, as CharSequence requires. */
    @Test
    void theAsciiViewOfAValueKeepsToItsRange() throws Exception {
        java.lang.reflect.Constructor<?> constructor = Class.forName(RegexVersion.class.getName() + "$AsciiChars")
                .getDeclaredConstructor(ByteBuffer.class, int.class, int.class);
        constructor.setAccessible(true);
        CharSequence chars = (CharSequence) constructor.newInstance(
                ByteBuffer.wrap("xabcy".getBytes(StandardCharsets.US_ASCII)), 1, 3);
        assertThat(chars.length()).isEqualTo(3);
        assertThat(chars.charAt(0)).isEqualTo('a');
        assertThat(chars.charAt(2)).isEqualTo('c');
        assertThatThrownBy(() -> chars.charAt(3)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("index 3, length 3");
        assertThatThrownBy(() -> chars.charAt(-1)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("index -1, length 3");
    }
}
