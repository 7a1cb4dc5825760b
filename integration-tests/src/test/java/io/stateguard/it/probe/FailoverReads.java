package io.stateguard.it.probe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The read loop of the failover probes ({@link FailoverProbe} for Lettuce, {@link RedissonFailoverProbe} for
 * Redisson): reads one state key's version every 20 ms, writes {@code <dir>/ready} after the first successful read and
 * {@code <dir>/changed} once another version was read, stops when {@code <dir>/stop} appears (or after 90 s), and
 * prints the versions in order (consecutive repeats collapsed) and how many reads failed.
 */
final class FailoverReads {

    private FailoverReads() {
    }

    /** @param version reads the key once and returns its version (a failed read throws) */
    static void run(Path dir, Supplier<String> version) throws Exception {
        List<String> sequence = new ArrayList<>();
        int errors = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.exists(dir.resolve("stop")) && System.nanoTime() < deadline) {
            try {
                String read = version.get();
                if (sequence.isEmpty() || !sequence.get(sequence.size() - 1).equals(read)) {
                    sequence.add(read);
                }
                touch(dir.resolve("ready"));
                if (sequence.size() > 1) {
                    touch(dir.resolve("changed"));
                }
            } catch (RuntimeException e) {
                errors++;
            }
            Thread.sleep(20);
        }
        System.out.println("probe.sequence=" + String.join(",", sequence));
        System.out.println("probe.errors=" + errors);
    }

    private static void touch(Path file) throws java.io.IOException {
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
    }
}
