package io.stateguard.agent.versions;

import static io.stateguard.agent.versions.Extraction.extract;
import static io.stateguard.agent.versions.Extraction.failure;
import static io.stateguard.agent.versions.Extraction.version;
import static io.stateguard.agent.versions.VersionFailure.BINARY;
import static io.stateguard.agent.versions.VersionFailure.MALFORMED_JSON;
import static io.stateguard.agent.versions.VersionFailure.NOT_FOUND;
import static io.stateguard.agent.versions.VersionFailure.NOT_NUMERIC;
import static io.stateguard.agent.versions.VersionFailure.OVERFLOW;
import static io.stateguard.agent.versions.VersionFailure.TOO_LARGE;
import static io.stateguard.agent.versions.VersionFailure.WRONG_TYPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonVersionTest {

    @Test
    void readsTopLevelAndNestedMembers() {
        assertThat(extract("json:/version", "{\"version\":7}")).isEqualTo(version(7));
        assertThat(extract("json:/meta/updatedAt", """
                {"state":"open","meta":{"by":"x","updatedAt":1717171717171},"version":2}"""))
                .isEqualTo(version(1717171717171L));
        assertThat(extract("json:/a/b/c/d", "{\"a\":{\"b\":{\"c\":{\"d\":-4}}}}")).isEqualTo(version(-4));
    }

    @Test
    void toleratesWhitespaceEverywhere() {
        assertThat(extract("json:/meta/version", " \n\t{ \"x\" : [ 1 , 2 ] ,\r\n \"meta\" :\t{ \"version\" : 12 } } \n"))
                .isEqualTo(version(12));
    }

    @Test
    void skipsValuesOfEveryKindBeforeTheField() {
        String json = """
                {"s":"text","n":-1.5e-3,"z":0,"t":true,"f":false,"nil":null,
                 "arr":[1,[2,[3,{"version":99}]],{},[],"]}"],
                 "obj":{"version":98,"deeper":{"x":[{"y":"}"}]}},
                 "version":42}""";
        assertThat(extract("json:/version", json)).isEqualTo(version(42));
    }

    @Test
    void skipsEscapedStringsBeforeTheField() {
        String json = """
                {"note":"he said \\"hi\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9\\uD83D\\uDE00 {[ \\"version\\":1",
                 "caf\\u00e9":"\\\\","version":8}""";
        assertThat(extract("json:/version", json)).isEqualTo(version(8));
    }

    @Test
    void comparesPointerTokensWithUnescapedMemberNames() {
        assertThat(extract("json:/a~1b", "{\"a/b\":3}")).isEqualTo(version(3));
        assertThat(extract("json:/a~1b", "{\"a\\/b\":3}")).isEqualTo(version(3));
        assertThat(extract("json:/a~1b", "{\"a\\u002Fb\":3}")).isEqualTo(version(3));
        assertThat(extract("json:/m~0n", "{\"m~n\":4}")).isEqualTo(version(4));
        assertThat(extract("json:/a~01", "{\"a~1\":5,\"a/\":6}")).isEqualTo(version(5));
        assertThat(extract("json:/a~10", "{\"a~1\":5,\"a/0\":6}")).isEqualTo(version(6));
        assertThat(extract("json:/version", "{\"v\\u0065rsion\":9}")).isEqualTo(version(9));
        assertThat(extract("json:/café", "{\"caf\\u00e9\":1}")).isEqualTo(version(1));
        assertThat(extract("json:/café", "{\"café\":2}")).isEqualTo(version(2));
        assertThat(extract("json:/\u20ac", "{\"\\u20AC\":3}")).isEqualTo(version(3));
        assertThat(extract("json:/😀", "{\"\\ud83d\\ude00\":5}")).isEqualTo(version(5));
        assertThat(extract("json:/tab\tnl\n", "{\"tab\\tnl\\n\":6}")).isEqualTo(version(6));
        assertThat(extract("json:/", "{\"\":7}")).isEqualTo(version(7));
        // A prefix or an extension of the name is not the name.
        assertThat(extract("json:/version", "{\"versio\":1,\"versions\":2,\"version\\u0000\":3}"))
                .isEqualTo(failure(NOT_FOUND));
        // A lone surrogate escape is legal JSON but matches no token.
        assertThat(extract("json:/version", "{\"\\ud83d\":1,\"\\ude00x\":2,\"version\":3}")).isEqualTo(version(3));
    }

    @Test
    void usesArrayIndexTokens() {
        assertThat(extract("json:/items/1/v", "{\"items\":[{\"v\":1},{\"v\":2}]}")).isEqualTo(version(2));
        assertThat(extract("json:/0", "[10,20]")).isEqualTo(version(10));
        assertThat(extract("json:/1/0", "[10,[20,21]]")).isEqualTo(version(20));
        assertThat(extract("json:/2", "[10,20]")).isEqualTo(failure(NOT_FOUND));
        assertThat(extract("json:/0", "[]")).isEqualTo(failure(NOT_FOUND));
        assertThat(extract("json:/-", "[10,20]")).isEqualTo(failure(NOT_FOUND));
        assertThat(extract("json:/01", "[10,20]")).isEqualTo(failure(NOT_FOUND));
        assertThat(extract("json:/x", "[10,20]")).isEqualTo(failure(NOT_FOUND));
        assertThat(extract("json:/99999999999", "[10,20]")).isEqualTo(failure(NOT_FOUND));
        // In an object, an index-like token is a member name.
        assertThat(extract("json:/0", "{\"1\":1,\"0\":5}")).isEqualTo(version(5));
        assertThat(extract("json:/01", "{\"01\":6}")).isEqualTo(version(6));
    }

    @Test
    void emptyPointerIsTheWholeDocument() {
        assertThat(extract("json:", "42")).isEqualTo(version(42));
        assertThat(extract("json:", " \"42\" \n")).isEqualTo(version(42));
        assertThat(extract("json:", "42 x")).isEqualTo(failure(MALFORMED_JSON));
        assertThat(extract("json:", "{}")).isEqualTo(failure(WRONG_TYPE));
    }

    @Test
    void reportsMissingFields() {
        assertThat(extract("json:/version", "{}")).isEqualTo(failure(NOT_FOUND));
        assertThat(extract("json:/version", "{\"a\":1,\"b\":{\"version\":2}}")).isEqualTo(failure(NOT_FOUND));
        assertThat(extract("json:/meta/version", "{\"meta\":{}}")).isEqualTo(failure(NOT_FOUND));
        // Through a scalar: there is nothing below it.
        assertThat(extract("json:/version/x", "{\"version\":7}")).isEqualTo(failure(NOT_FOUND));
        assertThat(extract("json:/version/x", "{\"version\":\"7\"}")).isEqualTo(failure(NOT_FOUND));
        assertThat(extract("json:/version", "7")).isEqualTo(failure(NOT_FOUND));
    }

    @Test
    void reportsPointersToValuesOfOtherTypes() {
        assertThat(extract("json:/v", "{\"v\":{\"version\":1}}")).isEqualTo(failure(WRONG_TYPE));
        assertThat(extract("json:/v", "{\"v\":[1]}")).isEqualTo(failure(WRONG_TYPE));
        assertThat(extract("json:/v", "{\"v\":null}")).isEqualTo(failure(WRONG_TYPE));
        assertThat(extract("json:/v", "{\"v\":true}")).isEqualTo(failure(WRONG_TYPE));
        assertThat(extract("json:/v", "{\"v\":false }")).isEqualTo(failure(WRONG_TYPE));
        assertThat(extract("json:/v", "{\"v\":\"seven\"}")).isEqualTo(failure(NOT_NUMERIC));
        assertThat(extract("json:/v", "{\"v\":nul}")).isEqualTo(failure(MALFORMED_JSON));
        assertThat(extract("json:/v", "{\"v\":truex}")).isEqualTo(failure(MALFORMED_JSON));
    }

    @Test
    void acceptsQuotedPlainIntegers() {
        assertThat(extract("json:/v", "{\"v\":\"7\"}")).isEqualTo(version(7));
        assertThat(extract("json:/v", "{\"v\":\"-7\"}")).isEqualTo(version(-7));
        assertThat(extract("json:/v", "{\"v\":\"007\"}")).isEqualTo(version(7));
        assertThat(extract("json:/v", "{\"v\":\"9223372036854775807\"}")).isEqualTo(version(Long.MAX_VALUE));
        assertThat(extract("json:/v", "{\"v\":\"-9223372036854775808\"}")).isEqualTo(version(Long.MIN_VALUE));
        assertThat(extract("json:/v", "{\"v\":\"9223372036854775808\"}")).isEqualTo(failure(OVERFLOW));
        assertThat(extract("json:/v", "{\"v\":\"\\u0037\\u0038\"}")).isEqualTo(version(78));
        for (String notPlain : new String[] {"", "-", "+7", " 7", "7 ", "7.0", "1e3", "0x1F", "７", "\\t7", "7\\u00e9"}) {
            assertThat(extract("json:/v", "{\"v\":\"" + notPlain + "\"}")).as(notPlain).isEqualTo(failure(NOT_NUMERIC));
        }
    }

    @Test
    void readsIntegralNumbersOnly() {
        assertThat(extract("json:/v", "{\"v\":0}")).isEqualTo(version(0));
        assertThat(extract("json:/v", "{\"v\":-0}")).isEqualTo(version(0));
        assertThat(extract("json:/v", "{\"v\":-15}")).isEqualTo(version(-15));
        assertThat(extract("json:/v", "{\"v\":9223372036854775807}")).isEqualTo(version(Long.MAX_VALUE));
        assertThat(extract("json:/v", "{\"v\":-9223372036854775808}")).isEqualTo(version(Long.MIN_VALUE));
        assertThat(extract("json:/v", "{\"v\":9223372036854775808}")).isEqualTo(failure(OVERFLOW));
        assertThat(extract("json:/v", "{\"v\":-9223372036854775809}")).isEqualTo(failure(OVERFLOW));
        assertThat(extract("json:/v", "{\"v\":123456789012345678901234567890}")).isEqualTo(failure(OVERFLOW));
        // Fraction or exponent: not a version, even when integral.
        for (String number : new String[] {"7.0", "7.5", "7e0", "7E+2", "-1e-2", "0.0", "1e400"}) {
            assertThat(extract("json:/v", "{\"v\":" + number + "}")).as(number).isEqualTo(failure(NOT_NUMERIC));
        }
        // Not JSON numbers at all.
        for (String number : new String[] {"07", "+7", "-", "7.", ".5", "1e", "1e+", "--1", "0x10", "1_000", "Infinity", "NaN"}) {
            assertThat(extract("json:/v", "{\"v\":" + number + "}")).as(number).isEqualTo(failure(MALFORMED_JSON));
        }
    }

    @Test
    void truncatedDocumentNeverYieldsATruncatedVersion() {
        String json = "{\"a\":[1,{\"b\":\"x\\\"y\"},true],\"version\":123}";
        for (int length = 0; length < json.length(); length++) {
            String prefix = json.substring(0, length);
            assertThat(extract("json:/version", prefix).ok()).as(prefix).isFalse();
        }
        assertThat(extract("json:/version", json)).isEqualTo(version(123));
        assertThat(extract("json:/version", "{\"version\":12 ")).isEqualTo(failure(MALFORMED_JSON));
        assertThat(extract("json:/1", "[0,12")).isEqualTo(failure(MALFORMED_JSON));
    }

    @Test
    void stopsReadingOnceTheVersionIsRead() {
        // Everything after the value's terminator is garbage: it must not be looked at.
        assertThat(extract("json:/version", "{\"version\":7, this is not JSON \u0000 ]]]")).isEqualTo(version(7));
        assertThat(extract("json:/version", "{\"version\":7} trailing")).isEqualTo(version(7));
        assertThat(extract("json:/0", "[5, {oops")).isEqualTo(version(5));
        // ... but the bytes before it are validated.
        assertThat(extract("json:/version", "{\"a\":[1,,2],\"version\":7}")).isEqualTo(failure(MALFORMED_JSON));
    }

    @Test
    void firstOfDuplicateMembersWins() {
        assertThat(extract("json:/v", "{\"v\":1,\"v\":2}")).isEqualTo(version(1));
    }

    @Test
    void skipsAByteOrderMark() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '"', 'v', '"', ':', '3', '}'};
        assertThat(extract("json:/v", bom)).isEqualTo(version(3));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        " ",
        "{",
        "{\"version\"",
        "{\"version\" 7}",
        "{\"version\":}",
        "{\"version\":7",
        "{\"a\":1,,\"version\":2}",
        "{\"a\":1,}",
        "{,\"version\":1}",
        "{'version':1}",
        "{version:1}",
        "{\"a\":[1,2},\"version\":1}",
        "{\"a\":[1,2,],\"version\":1}",
        "{\"a\":{\"b\":1]},\"version\":1}",
        "{\"a\":\"unterminated,\"version\":1}",
        "{\"a\":\"bad \\x escape\",\"version\":1}",
        "{\"a\":\"bad \\u12G4 escape\",\"version\":1}",
        "{\"a\":\"short \\u12\",\"version\":1}",
        "{\"a\":\"raw\ttab\",\"version\":1}",
        "{\"a\":\"raw\nnewline\",\"version\":1}",
        "{\"a\":tru,\"version\":1}",
        "{\"a\":-,\"version\":1}",
        "{\"a\":01,\"version\":1}",
        "{\"a\" \"b\",\"version\":1}",
        "{\"a\":1 \"version\":1}",
        "xyz",
    })
    void rejectsMalformedJson(String json) {
        assertThat(extract("json:/version", json)).isEqualTo(failure(MALFORMED_JSON));
    }

    @Test
    void rejectsInvalidUtf8AsBinary() {
        byte[] overlong = "{\"a\":\"..\",\"version\":1}".getBytes(StandardCharsets.US_ASCII);
        overlong[6] = (byte) 0xC0;
        overlong[7] = (byte) 0xAF;
        assertThat(extract("json:/version", overlong)).isEqualTo(failure(BINARY));
        byte[] surrogate = "{\"a\":\"...\",\"version\":1}".getBytes(StandardCharsets.US_ASCII);
        surrogate[6] = (byte) 0xED;
        surrogate[7] = (byte) 0xA0;
        surrogate[8] = (byte) 0x80;
        assertThat(extract("json:/version", surrogate)).isEqualTo(failure(BINARY));
        byte[] stray = "{\"version\":1}".getBytes(StandardCharsets.US_ASCII);
        stray[0] = (byte) 0xFF;
        assertThat(extract("json:/version", stray)).isEqualTo(failure(BINARY));
        byte[] truncated = {'{', '"', 'a', '"', ':', '"', (byte) 0xE2, (byte) 0x82};
        assertThat(extract("json:/version", truncated)).isEqualTo(failure(BINARY));
        // Well-formed non-ASCII is fine in strings, but not as structure.
        assertThat(extract("json:/version", "{\"a\":\"€😀é\",\"version\":1}")).isEqualTo(version(1));
        assertThat(extract("json:/version", "{\"a\":é,\"version\":1}")).isEqualTo(failure(MALFORMED_JSON));
    }

    @Test
    void limitsNestingOfSkippedValues() {
        String deep = "[".repeat(JsonScanner.MAX_DEPTH - 1) + "]".repeat(JsonScanner.MAX_DEPTH - 1);
        assertThat(extract("json:/version", "{\"a\":" + deep + ",\"version\":1}")).isEqualTo(version(1));
        String tooDeep = "[".repeat(JsonScanner.MAX_DEPTH + 1) + "]".repeat(JsonScanner.MAX_DEPTH + 1);
        assertThat(extract("json:/version", "{\"a\":" + tooDeep + ",\"version\":1}")).isEqualTo(failure(MALFORMED_JSON));
        // A megabyte of brackets neither overflows the stack nor throws.
        byte[] brackets = new byte[VersionSpec.DEFAULT_MAX_VALUE_BYTES];
        Arrays.fill(brackets, (byte) '[');
        brackets[0] = '{';
        assertThat(extract("json:/version", brackets)).isEqualTo(failure(MALFORMED_JSON));
    }

    @Test
    void findsTheFieldAtTheStartOrTheEndOfA64KibDocument() {
        StringBuilder filler = new StringBuilder();
        for (int i = 0; filler.length() < 64 * 1024; i++) {
            filler.append(",\"field").append(i).append("\":{\"text\":\"value \\\"").append(i)
                    .append("\\\"\",\"list\":[1,2.5,true,null,{\"version\":-1}]}");
        }
        String atStart = "{\"version\":1001" + filler + "}";
        String atEnd = "{\"first\":0" + filler + ",\"version\":1002}";
        assertThat(atStart.length()).isGreaterThan(64 * 1024);
        assertThat(extract("json:/version", atStart)).isEqualTo(version(1001));
        assertThat(extract("json:/version", atEnd)).isEqualTo(version(1002));
        assertThat(extract("json:/missing", atEnd)).isEqualTo(failure(NOT_FOUND));
        // Proof that the scan stopped: the rest of the document is not even JSON.
        String cut = "{\"version\":1003," + "\u0001".repeat(64 * 1024);
        assertThat(extract("json:/version", cut)).isEqualTo(version(1003));
    }

    @Test
    void everyPrefixOfADocumentIsMalformedNeverAVersion() {
        // Each construct of the grammar before the version, then the version: a scanner that reads a byte
        // past the end (Extraction pads the value with more digits and a closing brace) or accepts an
        // incomplete construct yields a version for some prefix.
        // {spec, document, what completes the version: the scan stops there and never reads further}
        String[][] cases = {
            {"json:/version", "{\"a\":[1,-2.5e+3,true,false,null,{\"b\":\"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"}],"
                    + "\"c\":{},\"d\":[],\"e\":0.5E-2 , \"version\" : 12 }", "12 }"},
            {"json:/version", "{\"version\":\"-34\"}", "\"-34\"}"},
            {"json:/list/1/v", "{\"list\":[{\"v\":1},{\"v\":56}]}", "56}"},
            {"json:/a\u00e9", "{\"a\\u00e9\":7}", "7}"},
        };
        for (String[] c : cases) {
            String document = c[1];
            int decided = document.indexOf(c[2]) + c[2].length();
            assertThat(extract(c[0], document)).as(document).matches(Extraction::ok);
            for (int cut = 0; cut < decided; cut++) {
                String prefix = document.substring(0, cut);
                assertThat(extract(c[0], prefix)).as("prefix %s", prefix).isEqualTo(failure(MALFORMED_JSON));
            }
        }
        assertThat(extract("json:", "  789  ")).isEqualTo(version(789));
        assertThat(extract("json:", "  78")).isEqualTo(version(78));
        assertThat(extract("json:", "  ")).isEqualTo(failure(MALFORMED_JSON));
        assertThat(extract("json:", "  -")).isEqualTo(failure(MALFORMED_JSON));
    }

    @Test
    void theVersionIsFoundWithEachKindOfValueSkippedBeforeIt() {
        String[] skipped = {"1", "-0", "0.5", "1e3", "1E-3", "-2.5e+3", "true", "false", "null", "\"s\"", "\"\\u0041\\n\"",
            "[]", "{}", "[1,[2,[3]],{\"x\":[]}]", "{\"x\":{\"y\":\"z\"}}", "\"\u00e9\u20ac\ud83d\ude00\""};
        for (String value : skipped) {
            assertThat(extract("json:/version", "{\"skip\":" + value + ",\"version\":41}")).as(value)
                    .isEqualTo(version(41));
            assertThat(extract("json:/1", "[" + value + ",42]")).as(value).isEqualTo(version(42));
            assertThat(extract("json:/version", "{\"skip\":" + value + "}")).as(value).isEqualTo(failure(NOT_FOUND));
        }
    }

    @Test
    void malformedValuesBeforeTheVersionAreMalformed() {
        String[] bad = {"01", "-", "1.", "1.e3", "1e", "1e+", ".5", "+1", "tru", "nul", "fals", "truex", "\"\\x\"",
            "\"\\u12\"", "\"\\u12G4\"", "[1,]", "[,1]", "{\"x\"}", "{\"x\":}", "{\"x\":1,}", "{1:2}", "[1 2]",
            "{\"x\":1 \"y\":2}", "\"\u0001\""};
        for (String value : bad) {
            assertThat(extract("json:/version", "{\"skip\":" + value + ",\"version\":41}")).as(value)
                    .isEqualTo(failure(MALFORMED_JSON));
        }
    }

    @Test
    void quotedVersionsAreReadByTheDecimalRules() {
        assertThat(extract("json:/v", "{\"v\":\"007\"}")).isEqualTo(version(7));
        assertThat(extract("json:/v", "{\"v\":\"-9223372036854775808\"}")).isEqualTo(version(Long.MIN_VALUE));
        assertThat(extract("json:/v", "{\"v\":\"9223372036854775807\"}")).isEqualTo(version(Long.MAX_VALUE));
        assertThat(extract("json:/v", "{\"v\":\"9223372036854775808\"}")).isEqualTo(failure(OVERFLOW));
        assertThat(extract("json:/v", "{\"v\":\"\\u0031\\u0032\"}")).as("escaped digits").isEqualTo(version(12));
        for (String notAnInteger : new String[] {"", "-", "+1", " 1", "1 ", "1.0", "1e3", "x", "0x10", "\\n1"}) {
            assertThat(extract("json:/v", "{\"v\":\"" + notAnInteger + "\"}")).as(notAnInteger)
                    .isEqualTo(failure(NOT_NUMERIC));
        }
        assertThat(extract("json:/v", "{\"v\":1.0}")).isEqualTo(failure(NOT_NUMERIC));
        assertThat(extract("json:/v", "{\"v\":-12}")).isEqualTo(version(-12));
        assertThat(extract("json:/v", "{\"v\":[1]}")).isEqualTo(failure(WRONG_TYPE));
        assertThat(extract("json:/v", "{\"v\":{}}")).isEqualTo(failure(WRONG_TYPE));
        assertThat(extract("json:/v", "{\"v\":true}")).isEqualTo(failure(WRONG_TYPE));
        assertThat(extract("json:/v", "{\"v\":null}")).isEqualTo(failure(WRONG_TYPE));
        assertThat(extract("json:/v", "{\"v\":nul}")).isEqualTo(failure(MALFORMED_JSON));
        assertThat(extract("json:/v", "{\"v\":x}")).isEqualTo(failure(MALFORMED_JSON));
    }

    @Test
    void rejectsA16MibValueWithoutReadingIt() {
        // The version is the first member: a scan would find it and stop (see the test above). Only the
        // size check, made before reading any byte, explains TOO_LARGE here.
        ByteBuffer huge = ByteBuffer.allocate(16 << 20);
        byte[] head = "{\"version\":5".getBytes(StandardCharsets.UTF_8);
        huge.put(head).position(0);
        VersionSpec spec = VersionSpec.parse("json:/version");
        VersionReading reading = new VersionReading();
        assertThat(spec.extract(huge, reading)).isFalse();
        assertThat(reading.failure()).isEqualTo(TOO_LARGE);
        assertThat(huge.position()).isZero();
        assertThat(huge.limit()).isEqualTo(16 << 20);
        // The same head in a value of the allowed size is read.
        ByteBuffer small = ByteBuffer.wrap("{\"version\":5}".getBytes(StandardCharsets.UTF_8));
        assertThat(spec.extract(small, reading)).isTrue();
        assertThat(reading.version()).isEqualTo(5);
    }

    @Test
    void appliesAConfiguredScanLimit() {
        VersionSpec spec = VersionSpec.parse("json:/v", 8);
        VersionReading reading = new VersionReading();
        assertThat(spec.extract("{\"v\":12}".getBytes(StandardCharsets.UTF_8), 0, 8, reading)).isTrue();
        assertThat(spec.extract("{\"v\":123}".getBytes(StandardCharsets.UTF_8), 0, 9, reading)).isFalse();
        assertThat(reading.failure()).isEqualTo(TOO_LARGE);
    }

    @Tag("slow") // many random cases or threads: left out of mutation testing (benchmarks/mutation.sh)
    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(20240601);
        VersionSpec[] specs = {
            VersionSpec.parse("json:/version"), VersionSpec.parse("json:"), VersionSpec.parse("json:/a/0/b"),
        };
        VersionReading reading = new VersionReading();
        for (int round = 0; round < 2000; round++) {
            byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            for (VersionSpec spec : specs) {
                assertThatCode(() -> Extraction.extract(spec, bytes)).doesNotThrowAnyException();
            }
        }
        // Mutations of a valid document: every byte position and value class, through all paths.
        byte[] valid = "{\"a\":[{\"b\":\"x\\u00e9\\\"\"},{\"b\":-12}],\"version\":\"77\"}".getBytes(StandardCharsets.UTF_8);
        byte[] probes = {0, '"', '\\', '{', '}', '[', ']', ',', ':', '-', '0', 'e', '.', 'u', (byte) 0xC3, (byte) 0xFF};
        for (int i = 0; i < valid.length; i++) {
            for (byte probe : probes) {
                byte[] mutated = valid.clone();
                mutated[i] = probe;
                for (VersionSpec spec : specs) {
                    assertThatCode(() -> spec.extract(mutated, 0, mutated.length, reading)).doesNotThrowAnyException();
                }
            }
        }
    }

    /** Nesting at exactly MAX_DEPTH levels below the document is too deep; one level less is fine. */
    @Test
    void nestingIsLimitedAtExactlyMaxDepth() {
        int max = JsonScanner.MAX_DEPTH;
        String arrays = "[".repeat(max) + "]".repeat(max);
        assertThat(extract("json:/version", "{\"a\":" + arrays + ",\"version\":1}")).isEqualTo(failure(MALFORMED_JSON));
        String objects = "{\"b\":".repeat(max - 1) + "1" + "}".repeat(max - 1);
        assertThat(extract("json:/version", "{\"a\":" + objects + ",\"version\":1}")).isEqualTo(version(1));
        String tooDeepObjects = "{\"b\":".repeat(max) + "1" + "}".repeat(max);
        assertThat(extract("json:/version", "{\"a\":" + tooDeepObjects + ",\"version\":1}"))
                .isEqualTo(failure(MALFORMED_JSON));
    }

    @Test
    void oddStringsInAndAroundQuotedVersions() {
        assertThat(extract("json:/v", "{\"v\":\"\"}")).as("empty").isEqualTo(failure(NOT_NUMERIC));
        assertThat(extract("json:/v", "{\"v\":\"\\u0037\"}")).isEqualTo(version(7));
        assertThat(extract("json:/v", "{\"v\":\"\\u0037\u00e9\"}")).as("an escape, then non-ASCII").isEqualTo(failure(NOT_NUMERIC));
        assertThat(extract("json:/v", "{\"a\":\"x\u0000y\",\"v\":1}")).as("raw NUL").isEqualTo(failure(MALFORMED_JSON));
        assertThat(extract("json:", "true")).as("a literal ending the document").isEqualTo(failure(WRONG_TYPE));
        assertThat(extract("json:", "null")).isEqualTo(failure(WRONG_TYPE));
        assertThat(extract("json:", "false")).isEqualTo(failure(WRONG_TYPE));
        assertThat(extract("json:/v", "{\"v\":tru3}")).isEqualTo(failure(MALFORMED_JSON));
        assertThat(extract("json:/v", "{\"a\":nul1,\"v\":1}")).isEqualTo(failure(MALFORMED_JSON));
        assertThat(extract("json:/v", "{\"a\":fals,\"v\":1}")).isEqualTo(failure(MALFORMED_JSON));
    }

    /** Escaped member names are compared by code point, as UTF-8, with every byte and every escape. */
    @Test
    void escapedNamesAreComparedExactly() {
        assertThat(extract("json:/\u0080", "{\"\\u0080\":7}")).isEqualTo(version(7));
        assertThat(extract("json:/\u07ff", "{\"\\u07ff\":7}")).isEqualTo(version(7));
        assertThat(extract("json:/\u0800", "{\"\\u0800\":7}")).isEqualTo(version(7));
        assertThat(extract("json:/\uffff", "{\"\\uffff\":7}")).isEqualTo(version(7));
        assertThat(extract("json:/\ud800\udc00", "{\"\\ud800\\udc00\":7}")).isEqualTo(version(7));
        assertThat(extract("json:/\u00af", "{\"\\u00af\":7}")).as("lowercase a and f").isEqualTo(version(7));
        assertThat(extract("json:/\u00af", "{\"\\u00AF\":7}")).isEqualTo(version(7));
        assertThat(extract("json:/\u00e9", "{\"\\u00e8\":5,\"\\u00e9\":1}")).as("one continuation byte apart").isEqualTo(version(1));
        assertThat(extract("json:/\u00e9", "{\"\\u00e8\u00e9\":5,\"\u00e9\":1}")).isEqualTo(version(1));
        assertThat(extract("json:/ab", "{\"ab\\u00e9ab\":5,\"ab\":1}")).as("longer than the name").isEqualTo(version(1));
        assertThat(extract("json:/ab", "{\"\\u00e9ab\":5,\"ab\":1}")).isEqualTo(version(1));
        assertThat(extract("json:/v", "{\"\\ud83d\\u0041\":5,\"v\":1}")).as("a high surrogate, then no low one")
                .isEqualTo(version(1));
        assertThat(extract("json:/a\"b", "{\"a\\\"b\":7}")).isEqualTo(version(7));
        assertThat(extract("json:/a\\b", "{\"a\\\\b\":7}")).isEqualTo(version(7));
        assertThat(extract("json:/a\bb", "{\"a\\bb\":7}")).isEqualTo(version(7));
        assertThat(extract("json:/a\fb", "{\"a\\fb\":7}")).isEqualTo(version(7));
        assertThat(extract("json:/a\rb", "{\"a\\rb\":7}")).isEqualTo(version(7));
    }

    /**
     * A malformed value fails the document even when the bytes before the value (outside the buffer's
     * position) would continue it into a document with a version: the scanner never reads them.
     */
    @Test
    void bytesBeforeTheValueAreNeverRead() {
        String[] values = {"", "[", "[1", "[1x", "[1,", "[tru", "\"x\\", "\"\\u12\"", "\"\\x\"", "\"\u0001\"",
            "\"abc", "tru", "trux", "-", "-x", "1.x", "1ex"};
        for (String value : values) {
            assertThat(extractAfter(",\"v\":5}", "json:/v", "{\"a\":" + value)).as("member %s", value)
                    .isEqualTo(failure(MALFORMED_JSON));
            assertThat(extractAfter(",5]", "json:/1", "[" + value)).as("element %s", value)
                    .isEqualTo(failure(MALFORMED_JSON));
            assertThat(extract("json:/v", "{\"a\":" + value)).isEqualTo(failure(MALFORMED_JSON));
        }
    }

    private static Extraction extractAfter(String before, String spec, String value) {
        byte[] prefix = before.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(prefix, prefix.length + bytes.length);
        System.arraycopy(bytes, 0, all, prefix.length, bytes.length);
        VersionReading reading = new VersionReading();
        ByteBuffer buffer = ByteBuffer.wrap(all);
        buffer.position(prefix.length);
        boolean ok = VersionSpec.parse(spec).extract(buffer, reading);
        assertThat(ok).isEqualTo(reading.ok());
        return reading.ok() ? version(reading.version()) : failure(reading.failure());
    }
}
