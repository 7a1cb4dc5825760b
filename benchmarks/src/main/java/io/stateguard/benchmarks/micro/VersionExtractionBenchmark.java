package io.stateguard.benchmarks.micro;

import io.stateguard.agent.versions.VersionReading;
import io.stateguard.agent.versions.VersionSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@code json:/version} extraction from a reply value (a heap {@code ByteBuffer}, as the guard passes it) of 200
 * bytes and of 64 KiB, with the {@code version} member first (the scan stops right after it) or last (the whole
 * document is scanned and validated before it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class VersionExtractionBenchmark {

    @Param({"200", "65536"})
    public int valueBytes;

    @Param({"first", "last"})
    public String position;

    private final VersionSpec spec = VersionSpec.parse("json:/version");
    private final VersionReading reading = new VersionReading();
    private ByteBuffer value;

    @Setup
    public void setUp() {
        byte[] json = document(valueBytes, position.equals("first"), 1764240000123L);
        value = ByteBuffer.wrap(json);
        if (!spec.extract(value, reading) || reading.version() != 1764240000123L) {
            throw new IllegalStateException("no version in " + new String(json, StandardCharsets.UTF_8));
        }
    }

    @Benchmark
    public long extract() {
        spec.extract(value, reading);
        return reading.version();
    }

    /**
     * A JSON state document of exactly {@code size} bytes: a few scalar members, then an array of records
     * (strings, numbers, booleans, a nested object) as padding, and {@code "version"} first or last.
     */
    public static byte[] document(int size, boolean versionFirst, long version) {
        String versionMember = "\"version\":" + version;
        StringBuilder body = new StringBuilder();
        body.append("\"state\":\"open\",\"updatedAt\":1764240000000,\"instance\":\"evolution-gw-01\",\"items\":[");
        int closing = 2 + versionMember.length() + 1 + 2; // "]" + "," + member + "}" and slack
        int i = 0;
        String sep = "";
        while (true) {
            String item = sep + "{\"id\":" + i + ",\"name\":\"item-" + i + "\",\"ok\":" + (i % 2 == 0)
                    + ",\"meta\":{\"w\":" + (i * 7 % 100) + ",\"tag\":\"t" + (i % 10) + "\"}}";
            if (2 + body.length() + item.length() + closing > size) {
                break;
            }
            body.append(item);
            sep = ",";
            i++;
        }
        body.append(']');
        String doc = versionFirst ? "{" + versionMember + "," + body : "{" + body + "," + versionMember;
        // Pad with spaces (insignificant whitespace) to the exact size, then close the object.
        StringBuilder out = new StringBuilder(doc);
        while (out.length() < size - 1) {
            out.append(' ');
        }
        out.append('}');
        if (out.length() != size) {
            throw new IllegalStateException("document of " + out.length() + " bytes, wanted " + size);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
