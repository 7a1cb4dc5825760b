package io.stateguard.benchmarks.memory;

import io.stateguard.benchmarks.Child;

import java.util.Locale;

/** Runs {@link MarksFootprint} in a forked JVM (serial GC: exact heap after GC) and reports bytes per key. */
public final class MemoryPhase {

    private Child.Result result;

    public void run() throws Exception {
        // The agent's classes are needed here: the full class path.
        Child child = Child.java().jvmArgs("-XX:+UseSerialGC", "-Xms1g", "-Xmx1g", "-cp",
                System.getProperty("java.class.path"), MarksFootprint.class.getName());
        result = child.run(300);
        System.out.println("[memory] " + result.values());
    }

    public double bytesPerKey(String profile, int count) {
        return result.number(profile + "." + count + ".bytes") / count;
    }

    public double averageKeyLength(String profile, int count) {
        return result.number(profile + "." + count + ".keyBytes") / count;
    }

    /** The worst bytes per key of the 30-byte profile. */
    public double worstBytesPerKey() {
        double worst = 0;
        for (int count : new int[] {10_000, 100_000, 1_000_000}) {
            worst = Math.max(worst, bytesPerKey("k30", count));
        }
        return worst;
    }

    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("`HighWaterMarks` bounded to the key count (`max-tracked-keys`), filled with distinct keys in database 0; "
                + "heap used after full GCs (`-XX:+UseSerialGC`, exact) after filling minus before, divided by the "
                + "number of keys. It includes each key's own copy (one entry object per key holding the key's first 32 "
                + "bytes as four 8-byte words, the version, hash, database, length and referenced bit, 72 bytes; "
                + "longer keys keep the rest in a tail array) and the table's slots (a 4-byte reference per slot at a "
                + "load factor of 3/8 to 3/4).\n\n");
        md.append("| keys | bytes per key, keys of 20–40 bytes (avg 30) | bytes per key, 16-byte keys |\n|---:|---:|---:|\n");
        for (int count : new int[] {10_000, 100_000, 1_000_000}) {
            md.append(String.format(Locale.ROOT, "| %,d | %.1f | %.1f |\n", count, bytesPerKey("k30", count),
                    bytesPerKey("k16", count)));
        }
        return md.toString();
    }
}
