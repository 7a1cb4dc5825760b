package io.stateguard.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/** What machine this is, and how busy it is with work that is not ours (Linux {@code /proc}). */
public final class Machine {

    private Machine() {
    }

    public static String cpuModel() {
        for (String line : lines("/proc/cpuinfo")) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return System.getProperty("os.arch");
    }

    public static String memory() {
        for (String line : lines("/proc/meminfo")) {
            if (line.startsWith("MemTotal:")) {
                long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                return String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
            }
        }
        return "?";
    }

    public static String os() {
        String pretty = System.getProperty("os.name");
        for (String line : lines("/etc/os-release")) {
            if (line.startsWith("PRETTY_NAME=")) {
                pretty = line.substring("PRETTY_NAME=".length()).replace("\"", "");
            }
        }
        return pretty + ", kernel " + System.getProperty("os.version");
    }

    public static String jdk() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    }

    public static String loadAverage() {
        List<String> lines = lines("/proc/loadavg");
        if (lines.isEmpty()) {
            return "?";
        }
        String[] f = lines.get(0).split(" ");
        return f[0] + " / " + f[1] + " / " + f[2];
    }

    /** The versions the build filtered into {@code bench-versions.properties}. */
    public static Properties versions() {
        Properties properties = new Properties();
        try (InputStream in = Machine.class.getResourceAsStream("/bench-versions.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // reported as unknown
        }
        return properties;
    }

    static List<String> lines(String file) {
        try {
            return Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * Measures the CPU the rest of the machine used while a phase ran: busy CPU time of the whole machine
     * ({@code /proc/stat}) minus ours (this JVM and the children it has waited for, from {@code /proc/self/stat},
     * plus the redis-server processes we run, which are reaped only at the end).
     */
    public static final class Background {
        private final long[] ownPids;
        private final long busyStart;
        private final long totalStart;
        private final long ownStart;
        private final long startNanos = System.nanoTime();
        private final String loadStart = loadAverage();

        public Background(long... ownPids) {
            this.ownPids = ownPids;
            long[] cpu = machineTicks();
            busyStart = cpu[0];
            totalStart = cpu[1];
            ownStart = ownTicks();
        }

        /** e.g. {@code 0.31 of 2 cores (load average 1.20 / 0.90 / 0.80 → 1.10 / 1.00 / 0.85)}. */
        public String describe() {
            long[] cpu = machineTicks();
            long busy = cpu[0] - busyStart;
            long total = cpu[1] - totalStart;
            long own = ownTicks() - ownStart;
            int cores = Runtime.getRuntime().availableProcessors();
            if (total <= 0) {
                return "unknown";
            }
            double otherCores = Math.max(0, busy - own) * (double) cores / total;
            double ownCores = own * (double) cores / total;
            return String.format(Locale.ROOT, "other processes %.2f of %d cores, benchmark %.2f cores, over %.0f s"
                    + " (load average %s → %s)", otherCores, cores, ownCores,
                    (System.nanoTime() - startNanos) / 1e9, loadStart, loadAverage());
        }

        /** Other processes' CPU, in cores, since the start. */
        public double otherCores() {
            long[] cpu = machineTicks();
            long total = cpu[1] - totalStart;
            return total <= 0 ? Double.NaN
                    : Math.max(0, cpu[0] - busyStart - (ownTicks() - ownStart))
                            * (double) Runtime.getRuntime().availableProcessors() / total;
        }

        private long ownTicks() {
            long ticks = processTicks("/proc/self/stat", true);
            for (long pid : ownPids) {
                ticks += Math.max(0, processTicks("/proc/" + pid + "/stat", false));
            }
            return ticks;
        }

        /** utime + stime (+ cutime + cstime) of a process, in clock ticks. */
        private static long processTicks(String statFile, boolean withChildren) {
            List<String> lines = lines(statFile);
            if (lines.isEmpty()) {
                return 0;
            }
            String line = lines.get(0);
            String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state): utime is field 14 -> f[11], stime f[12], cutime f[13], cstime f[14].
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            if (withChildren) {
                ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
            }
            return ticks;
        }

        /** {busy, total} ticks of all CPUs: busy excludes idle and iowait. */
        private static long[] machineTicks() {
            for (String line : lines("/proc/stat")) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long total = 0;
                    long idle = 0;
                    for (int i = 1; i < f.length && i <= 8; i++) { // user..steal; guest is inside user
                        long v = Long.parseLong(f[i]);
                        total += v;
                        if (i == 4 || i == 5) {
                            idle += v;
                        }
                    }
                    return new long[] {total - idle, total};
                }
            }
            return new long[] {0, 0};
        }
    }

    static Path path(String first, String... more) {
        return Paths.get(first, more);
    }
}
