package io.stateguard.agent.versions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A heap buffer (or array) and a one-token pointer take a fast path for a member of a flat top-level
 * object; every other input takes the general scan. The general scan is what a read-only or direct
 * buffer always gets, so the two are compared on each document below and on every variant of it
 * with one byte changed, removed, or the document cut short: they must agree exactly.
 */
class JsonTopLevelFastPathTest {

    private static final String[] DOCUMENTS = {
        "{\"version\":1764240000123,\"state\":\"open\"}",
        "{\"state\":\"open\",\"n\":-12,\"z\":0,\"ok\":true,\"no\":false,\"x\":null,\"version\":7}",
        "\uFEFF \t{ \"version\" :\r\n-42 , \"a\":1}",
        "{\"version\":123456789012345678}",
        "{\"version\":999999999999999999}",
        "{\"version\":9223372036854775807}",
        "{\"version\":-9223372036854775808}",
        "{\"version\":9223372036854775808}",
        "{\"version\":-0}",
        "{\"version\":0}",
        "{\"version\":7.0}",
        "{\"version\":7e1}",
        "{\"version\":07}",
        "{\"version\":\"7\"}",
        "{\"version\":[7]}",
        "{\"a\":1.5,\"version\":7}",
        "{\"a\":\"\\\"\",\"version\":7}",
        "{\"a\":\"\u00e9\",\"version\":7}",
        "{\"v\\u0065rsion\":7}",
        "{\"versio\":1,\"versionx\":2,\"version\":3,\"version\":4}",
        "{\"a\":{\"version\":1},\"version\":2}",
        "{\"state\":\"open\"}",
        "{}",
        "[7]",
        "7",
    };

    private static final byte[] REPLACEMENTS = {
        '"', '\\', '.', 'e', 'E', '0', '9', '-', '+', ' ', '\n', '}', '{', ']', ',', ':', 't', 'x', 0x01, 0x7F,
        (byte) 0x80, (byte) 0xC3, (byte) 0xFF,
    };

    private static Extraction read(VersionSpec spec, ByteBuffer value) {
        VersionReading reading = new VersionReading();
        spec.extract(value, reading);
        return reading.ok() ? Extraction.version(reading.version()) : Extraction.failure(reading.failure());
    }

    /** The fast path's answer (a heap buffer at an offset, as the guard passes one) and the general scan's. */
    private static void assertAgree(VersionSpec spec, byte[] document, String what) {
        byte[] padded = new byte[document.length + 4];
        padded[0] = '{';
        padded[1] = '"';
        System.arraycopy(document, 0, padded, 2, document.length);
        padded[padded.length - 2] = '9';
        padded[padded.length - 1] = '}';
        ByteBuffer heap = ByteBuffer.wrap(padded, 2, document.length);
        Extraction fast = read(spec, heap);
        Extraction general = read(spec, heap.asReadOnlyBuffer());
        assertThat(fast).as(what).isEqualTo(general);
        assertThat(read(spec, heap.slice())).as(what + ", sliced").isEqualTo(general);
    }

    private static List<byte[]> variants(byte[] document) {
        List<byte[]> variants = new ArrayList<>();
        for (int length = 0; length <= document.length; length++) {
            variants.add(java.util.Arrays.copyOf(document, length));
        }
        for (int i = 0; i < document.length; i++) {
            for (byte replacement : REPLACEMENTS) {
                byte[] changed = document.clone();
                changed[i] = replacement;
                variants.add(changed);
            }
            byte[] removed = new byte[document.length - 1];
            System.arraycopy(document, 0, removed, 0, i);
            System.arraycopy(document, i + 1, removed, i, document.length - i - 1);
            variants.add(removed);
        }
        return variants;
    }

    @Test
    void agreesWithTheGeneralScanOnEveryOneByteVariantOfEachDocument() {
        VersionSpec spec = VersionSpec.parse("json:/version");
        int compared = 0;
        for (String document : DOCUMENTS) {
            for (byte[] variant : variants(document.getBytes(StandardCharsets.UTF_8))) {
                assertAgree(spec, variant, document + " as " + new String(variant, StandardCharsets.ISO_8859_1));
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(10_000);
    }

    @Test
    void readsTheCommonCasesItself() {
        assertThat(Extraction.extract("json:/version", DOCUMENTS[0])).isEqualTo(Extraction.version(1764240000123L));
        assertThat(Extraction.extract("json:/version", DOCUMENTS[1])).isEqualTo(Extraction.version(7));
        assertThat(Extraction.extract("json:/version", DOCUMENTS[2])).isEqualTo(Extraction.version(-42));
        assertThat(Extraction.extract("json:/version", DOCUMENTS[4])).isEqualTo(Extraction.version(999999999999999999L));
        assertThat(Extraction.extract("json:/version", DOCUMENTS[5])).isEqualTo(Extraction.version(Long.MAX_VALUE));
        assertThat(Extraction.extract("json:/version", DOCUMENTS[6])).isEqualTo(Extraction.version(Long.MIN_VALUE));
        assertThat(Extraction.extract("json:/version", DOCUMENTS[7])).isEqualTo(Extraction.failure(VersionFailure.OVERFLOW));
        assertThat(Extraction.extract("json:/version", DOCUMENTS[8])).isEqualTo(Extraction.version(0));
        assertThat(Extraction.extract("json:/version", DOCUMENTS[10])).isEqualTo(Extraction.failure(VersionFailure.NOT_NUMERIC));
        assertThat(Extraction.extract("json:/version", DOCUMENTS[12])).isEqualTo(Extraction.failure(VersionFailure.MALFORMED_JSON));
        assertThat(Extraction.extract("json:/version", DOCUMENTS[19])).isEqualTo(Extraction.version(3));
        assertThat(Extraction.extract("json:/version", DOCUMENTS[20])).isEqualTo(Extraction.version(2));
        assertThat(Extraction.extract("json:/version", DOCUMENTS[21])).isEqualTo(Extraction.failure(VersionFailure.NOT_FOUND));
    }

    @Test
    void otherPointersAndNamesAgreeToo() {
        String document = "{\"v\u00e9rsion\":5,\"a~b\":6,\"0\":7,\"\":8,\"meta\":{\"v\":9}}";
        for (String pointer : new String[] {"/v\u00e9rsion", "/a~0b", "/0", "/", "/meta", "/meta/v", "/missing"}) {
            VersionSpec spec = VersionSpec.parse("json:" + pointer);
            for (byte[] variant : variants(document.getBytes(StandardCharsets.UTF_8))) {
                assertAgree(spec, variant, pointer + " in " + new String(variant, StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(Extraction.extract("json:/0", document)).isEqualTo(Extraction.version(7));
        assertThat(Extraction.extract("json:/", document)).isEqualTo(Extraction.version(8));
        assertThat(Extraction.extract("json:/v\u00e9rsion", document)).isEqualTo(Extraction.version(5));
    }
}
