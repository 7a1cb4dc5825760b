package io.stateguard.agent.versions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Test helper: extracts a version through every input form (array, heap buffer, direct buffer and
 * read-only buffer, the buffers at a non-zero position inside larger content) and checks that all
 * agree and that no buffer position moved.
 */
record Extraction(boolean ok, long version, VersionFailure failure) {

    static Extraction version(long version) {
        return new Extraction(true, version, null);
    }

    static Extraction failure(VersionFailure failure) {
        return new Extraction(false, 0, failure);
    }

    static Extraction extract(String spec, String value) {
        return extract(VersionSpec.parse(spec), value.getBytes(StandardCharsets.UTF_8));
    }

    static Extraction extract(String spec, byte[] value) {
        return extract(VersionSpec.parse(spec), value);
    }

    static Extraction extract(VersionSpec spec, byte[] value) {
        VersionReading reading = new VersionReading();
        // Garbage around the value: a scanner that reads outside [position, limit) gets it wrong.
        byte[] padded = new byte[value.length + 7];
        padded[0] = '{';
        padded[1] = '"';
        padded[2] = '9';
        System.arraycopy(value, 0, padded, 3, value.length);
        padded[padded.length - 4] = '9';
        padded[padded.length - 3] = '"';
        padded[padded.length - 2] = ',';
        padded[padded.length - 1] = '}';

        boolean returned = spec.extract(padded, 3, value.length, reading);
        Extraction fromArray = of(reading);
        assertThat(returned).as("extract's result is the reading's ok()").isEqualTo(reading.ok());

        ByteBuffer heap = ByteBuffer.wrap(padded);
        heap.position(3).limit(3 + value.length);
        assertThat(spec.extract(heap, reading)).isEqualTo(fromArray.ok());
        assertUnmoved(heap, 3, 3 + value.length);
        assertThat(of(reading)).as("heap buffer").isEqualTo(fromArray);

        ByteBuffer direct = ByteBuffer.allocateDirect(padded.length);
        direct.put(padded).clear();
        direct.position(3).limit(3 + value.length);
        assertThat(spec.extract(direct, reading)).isEqualTo(fromArray.ok());
        assertUnmoved(direct, 3, 3 + value.length);
        assertThat(of(reading)).as("direct buffer").isEqualTo(fromArray);

        ByteBuffer readOnly = heap.asReadOnlyBuffer();
        assertThat(spec.extract(readOnly, reading)).isEqualTo(fromArray.ok());
        assertUnmoved(readOnly, 3, 3 + value.length);
        assertThat(of(reading)).as("read-only buffer").isEqualTo(fromArray);

        ByteBuffer slice = heap.slice(); // position 0, non-zero array offset
        assertThat(spec.extract(slice, reading)).isEqualTo(fromArray.ok());
        assertThat(of(reading)).as("sliced buffer").isEqualTo(fromArray);
        return fromArray;
    }

    private static Extraction of(VersionReading reading) {
        return reading.ok() ? version(reading.version()) : failure(reading.failure());
    }

    private static void assertUnmoved(ByteBuffer buffer, int position, int limit) {
        assertThat(buffer.position()).as("position").isEqualTo(position);
        assertThat(buffer.limit()).as("limit").isEqualTo(limit);
    }
}
