package io.stateguard.benchmarks;

import io.stateguard.benchmarks.e2e.E2ePhase;
import io.stateguard.benchmarks.memory.MemoryPhase;
import io.stateguard.benchmarks.micro.JmhPhase;
import io.stateguard.benchmarks.replication.ReplicationPhase;
import io.stateguard.benchmarks.startup.StartupPhase;
import io.stateguard.harness.PrimaryReplicaTopology;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Runs the benchmark phases (JMH micro-benchmarks, end-to-end load with Lettuce and with Redisson, memory,
 * start-up) and writes the Markdown report. Started by {@code benchmarks/run.sh}; options are {@code --name value}:
 * <ul>
 *   <li>{@code --agent}, {@code --otel}: the StateGuard and OpenTelemetry agent jars;</li>
 *   <li>{@code --out}: the report ({@code docs/PERFORMANCE.md}); when not every phase runs it goes to
 *       {@code <results>/PERFORMANCE-partial.md} instead;</li>
 *   <li>{@code --results}: a directory for raw results;</li>
 *   <li>{@code --phases}: {@code all} or a comma list of {@code jmh, e2e, redisson, replication, memory, startup};</li>
 *   <li>{@code --rounds}, {@code --ops}, {@code --warmup}, {@code --batch}: end-to-end settings (Lettuce and
 *       Redisson);</li>
 *   <li>{@code --jmh-warmup}, {@code --jmh-iterations}, {@code --jmh-ms}, {@code --jmh-include}: JMH settings;</li>
 *   <li>{@code --startup-pairs}: start-up pairs;</li>
 *   <li>{@code --replication-rounds}, {@code --replication-keys}, {@code --replication-pollers}, {@code --replication-batch},
 *       {@code --replication-warmup-ms}, {@code --replication-measure-ms}: the replication phase's settings;</li>
 *   <li>{@code --load-file}: a file with the {@code uptime} and {@code top} lines the script took before starting.</li>
 * </ul>
 */
public final class Bench {

    private final Map<String, String> options;

    private Bench(Map<String, String> options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        new Bench(options).run();
    }

    private String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    private int intOption(String name, int fallback) {
        return Integer.parseInt(option(name, String.valueOf(fallback)));
    }

    private void run() throws Exception {
        long start = System.nanoTime();
        Path agentJar = Paths.get(option("agent", "agent/target/stateguard-agent.jar")).toAbsolutePath();
        Path otelJar = Paths.get(option("otel", "benchmarks/target/otel/opentelemetry-javaagent.jar")).toAbsolutePath();
        Path results = Paths.get(option("results", "benchmarks/target/results")).toAbsolutePath();
        Files.createDirectories(results);
        for (Path jar : List.of(agentJar, otelJar)) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " not found: build first (benchmarks/run.sh does)");
            }
        }
        String phaseOption = option("phases", "all");
        Set<String> phases = new HashSet<>(phaseOption.equals("all") ? List.of("jmh", "e2e", "redisson", "replication", "memory", "startup")
                : Arrays.asList(phaseOption.split(",")));
        String date = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT));
        String loadAtStart = Machine.loadAverage();
        Machine.Background whole = new Machine.Background();

        JmhPhase jmh = null;
        if (phases.contains("jmh")) {
            System.out.println("== JMH micro-benchmarks ==");
            jmh = new JmhPhase(results.resolve("jmh.json"), intOption("jmh-warmup", 2), intOption("jmh-iterations", 4),
                    intOption("jmh-ms", 400), option("jmh-include", "io\\.stateguard\\.benchmarks\\.micro\\..*"));
            jmh.run();
        }
        MemoryPhase memory = null;
        if (phases.contains("memory")) {
            System.out.println("== Memory: bytes per tracked key ==");
            memory = new MemoryPhase();
            memory.run();
        }
        E2ePhase e2e = null;
        E2ePhase redisson = null;
        StartupPhase startup = null;
        String redisVersion = "?";
        if (phases.contains("e2e") || phases.contains("redisson") || phases.contains("startup")) {
            try (PrimaryReplicaTopology redis = PrimaryReplicaTopology.builder().start()) {
                redisVersion = redis.primary().version();
                E2ePhase.load(redis);
                if (phases.contains("e2e")) {
                    System.out.println("== End-to-end load ==");
                    e2e = E2ePhase.lettuce(redis, agentJar, otelJar, intOption("rounds", 5),
                            intOption("warmup", 30_000), intOption("ops", 90_000), intOption("batch", 100));
                    e2e.run();
                    Files.write(results.resolve("e2e-runs.csv"), e2e.rawCsv().getBytes(StandardCharsets.UTF_8));
                }
                if (phases.contains("redisson")) {
                    System.out.println("== End-to-end load, Redisson ==");
                    redisson = E2ePhase.redisson(redis, agentJar, intOption("rounds", 5), intOption("warmup", 30_000),
                            intOption("ops", 90_000), intOption("batch", 100));
                    redisson.run();
                    Files.write(results.resolve("redisson-runs.csv"),
                            redisson.rawCsv().getBytes(StandardCharsets.UTF_8));
                }
                if (phases.contains("startup")) {
                    System.out.println("== Start-up ==");
                    startup = new StartupPhase(redis, agentJar, intOption("startup-pairs", 5));
                    startup.run();
                }
            }
        }
        ReplicationPhase replication = null;
        if (phases.contains("replication")) {
            System.out.println("== Replication awareness: status polling with a lagging replica ==");
            try (PrimaryReplicaTopology redis = PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true)
                    .start()) {
                redisVersion = redis.primary().version();
                replication = new ReplicationPhase(redis, agentJar, intOption("replication-rounds", 3),
                        intOption("replication-keys", 300), intOption("replication-pollers", 2),
                        intOption("replication-batch", 50),
                        intOption("replication-warmup-ms", 2000), intOption("replication-measure-ms", 4000));
                replication.run();
                Files.write(results.resolve("replication-runs.csv"),
                        replication.rawCsv().getBytes(StandardCharsets.UTF_8));
            }
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        String loadFile = option("load-file", null);
        String loadBefore = loadFile != null && Files.isRegularFile(Paths.get(loadFile))
                ? Files.readString(Paths.get(loadFile)).trim() : "";

        Report report = new Report(date, redisVersion, loadAtStart, loadBefore, whole.describe(), minutes, jmh, e2e,
                redisson, memory, startup, replication);
        String markdown = report.markdown();
        boolean complete = jmh != null && e2e != null && redisson != null && memory != null && startup != null
                && replication != null;
        Path out = complete ? Paths.get(option("out", "docs/PERFORMANCE.md")).toAbsolutePath()
                : results.resolve("PERFORMANCE-partial.md");
        Files.createDirectories(out.getParent());
        Files.write(out, markdown.getBytes(StandardCharsets.UTF_8));
        System.out.println();
        System.out.println(report.targetTable());
        System.out.printf(Locale.ROOT, "Report written to %s (%.1f minutes)%n", out, minutes);
    }

    static Properties versions() {
        return Machine.versions();
    }
}
