package io.stateguard.benchmarks.e2e;

import io.stateguard.benchmarks.Child;
import io.stateguard.benchmarks.Machine;
import io.stateguard.benchmarks.Stats;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An end-to-end comparison: the same workload ({@link PipelinedLoad}) in one forked JVM per run, under each
 * variant, against one primary and one replica, with one client: {@link #lettuce} ({@link LoadClient}: no agent,
 * StateGuard in three configurations, {@code ReadFrom.UPSTREAM}, the OpenTelemetry Java agent, both agents; phase
 * {@code e2e}) or {@link #redisson} ({@link RedissonLoadClient}: no agent and StateGuard in three configurations;
 * phase {@code redisson}). Each round runs every pair (baseline, variant) back to back, the pairs in a rotating
 * order and, every other round, the variant first; figures are medians over rounds of the per-pair ratios (and
 * differences), with the smallest and largest pair.
 */
public final class E2ePhase {

    /** A way to run the client; {@code readFrom} is the client's read setting (a {@code ReadFrom} or {@code ReadMode}). */
    public record Variant(String id, String label, String readFrom, List<String> jvmArgs) {
    }

    /** One forked run. */
    public record Run(Variant variant, int round, double opsPerSecond, double p50Nanos, double p99Nanos,
            double cpuNanosPerOp, double threadCpuNanosPerOp, double allocPerOp, double gcs, double wallNanosPerOp, double primaryGetShare,
            String tracing) {
    }

    /**
     * The client a phase forks: its phase name (log prefix, raw-results file), its load client's main class and
     * the start of the class names StateGuard must report instrumented in its runs.
     */
    record Client(String phase, Class<? extends PipelinedLoad> main, String instrumented) {
    }

    public static final String KEYS_NO_MATCH = "evolution:state:*:lock,evolution:instance:*";
    public static final String KEYS_ALL = "evolution:state:*";
    public static final String CHECKED = "keys=" + KEYS_ALL + ";version=json:/version;routing=replica-checked";

    private final PrimaryReplicaTopology redis;
    private final Client client;
    private final int rounds;
    private final int warmup;
    private final int ops;
    private final int batch;

    /** The no-agent baseline, and the StateGuard variants every client has. */
    public final Variant none;
    public final Variant noMatch;
    public final Variant checked;
    public final Variant primary;
    /** Lettuce only ({@code null} for Redisson): {@code ReadFrom.UPSTREAM}, OpenTelemetry, OpenTelemetry + StateGuard. */
    public final Variant upstream;
    public final Variant otel;
    public final Variant both;
    /** Every variant, in the order of the variant table. */
    private final List<Variant> variants;
    /** (baseline, variant), in the order of the ratio table. */
    private final List<Variant[]> pairs;
    /** One unmeasured run of each before the rounds: page cache, CDS archives, an agent's first extraction. */
    private final List<Variant> unmeasured;
    private final List<Run> runs = new ArrayList<>();
    private String background = "";

    private E2ePhase(PrimaryReplicaTopology redis, Client client, int rounds, int warmup, int ops, int batch,
            Variant none, Variant noMatch, Variant checked, Variant primary, Variant upstream, Variant otel,
            Variant both, List<Variant> variants, List<Variant[]> pairs, List<Variant> unmeasured) {
        this.redis = redis;
        this.client = client;
        this.rounds = rounds;
        this.warmup = warmup;
        this.ops = ops;
        this.batch = batch;
        this.none = none;
        this.noMatch = noMatch;
        this.checked = checked;
        this.primary = primary;
        this.upstream = upstream;
        this.otel = otel;
        this.both = both;
        this.variants = variants;
        this.pairs = pairs;
        this.unmeasured = unmeasured;
    }

    /** The Lettuce comparison (phase {@code e2e}). */
    public static E2ePhase lettuce(PrimaryReplicaTopology redis, Path agentJar, Path otelJar, int rounds, int warmup,
            int ops, int batch) {
        List<String> otelArgs = List.of("-javaagent:" + otelJar, "-Dotel.traces.exporter=none",
                "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none", "-Dotel.service.name=stateguard-bench");
        Variant none = new Variant("none", "no agent", "REPLICA_PREFERRED", List.of());
        Variant noMatch = new Variant("sg-nomatch", "StateGuard, rules match no key", "REPLICA_PREFERRED",
                List.of(sg(agentJar, "keys=" + KEYS_NO_MATCH)));
        Variant checked = new Variant("sg-checked", "StateGuard `replica-checked`, `version=json:/version`, all keys",
                "REPLICA_PREFERRED", List.of(sg(agentJar, CHECKED)));
        Variant upstream = new Variant("upstream", "no agent, `ReadFrom.UPSTREAM`", "UPSTREAM", List.of());
        Variant primary = new Variant("sg-primary", "StateGuard, 100% of reads routed to the primary",
                "REPLICA_PREFERRED", List.of(sg(agentJar, "keys=" + KEYS_ALL)));
        Variant otel = new Variant("otel", "OpenTelemetry Java agent alone", "REPLICA_PREFERRED", otelArgs);
        List<String> bothArgs = new ArrayList<>(otelArgs);
        bothArgs.add(sg(agentJar, CHECKED));
        Variant both = new Variant("otel+sg", "OpenTelemetry + StateGuard `replica-checked`", "REPLICA_PREFERRED",
                bothArgs);
        return new E2ePhase(redis, new Client("e2e", LoadClient.class, "io.lettuce.core.masterreplica"), rounds,
                warmup, ops, batch, none, noMatch, checked, primary, upstream, otel, both,
                List.of(none, noMatch, checked, upstream, primary, otel, both),
                List.of(new Variant[] {none, noMatch}, new Variant[] {none, checked}, new Variant[] {upstream, primary},
                        new Variant[] {none, otel}, new Variant[] {none, both}),
                List.of(none, otel));
    }

    /**
     * The Redisson comparison (phase {@code redisson}): master/slave, {@code ReadMode.SLAVE}, every StateGuard
     * variant paired with the run without agent.
     */
    public static E2ePhase redisson(PrimaryReplicaTopology redis, Path agentJar, int rounds, int warmup, int ops,
            int batch) {
        Variant none = new Variant("rs-none", "Redisson, no agent", "SLAVE", List.of());
        Variant noMatch = new Variant("rs-sg-nomatch", "Redisson, StateGuard, rules match no key", "SLAVE",
                List.of(sg(agentJar, "keys=" + KEYS_NO_MATCH)));
        Variant primary = new Variant("rs-sg-primary", "Redisson, StateGuard, 100% of reads routed to the master",
                "SLAVE", List.of(sg(agentJar, "keys=" + KEYS_ALL)));
        Variant checked = new Variant("rs-sg-checked",
                "Redisson, StateGuard `replica-checked`, `version=json:/version`, all keys", "SLAVE",
                List.of(sg(agentJar, CHECKED)));
        return new E2ePhase(redis, new Client("redisson", RedissonLoadClient.class, "org.redisson."), rounds, warmup,
                ops, batch, none, noMatch, checked, primary, null, null, null, List.of(none, noMatch, primary, checked),
                List.of(new Variant[] {none, noMatch}, new Variant[] {none, primary}, new Variant[] {none, checked}),
                List.of(none, checked));
    }

    private static String sg(Path agentJar, String arguments) {
        return "-javaagent:" + agentJar + "=" + arguments;
    }

    /** Loads the read keys on the primary and waits until the replica has them. */
    public static void load(PrimaryReplicaTopology redis) {
        RedisNode primary = redis.primary();
        for (int start = 0; start < Workload.KEYS; start += 100) {
            List<String> args = new ArrayList<>(List.of("MSET"));
            for (int i = start; i < Math.min(Workload.KEYS, start + 100); i++) {
                args.add(Workload.readKey(i));
                args.add(Workload.value("r" + i, 1_000 + i));
            }
            primary.command(args.toArray(new String[0]));
        }
        redis.awaitReplicated();
    }

    /** The phase's name: {@code e2e} or {@code redisson}. */
    public String phase() {
        return client.phase();
    }

    /** Runs every round; the read keys must be loaded ({@link #load}). */
    public void run() throws Exception {
        Machine.Background meter = new Machine.Background(redis.primary().pid(), redis.replicas().get(0).pid());
        for (Variant variant : unmeasured) {
            runOnce(variant, -1);
        }
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            for (int p = 0; p < pairs.size(); p++) {
                Variant[] pair = pairs.get((p + round) % pairs.size());
                boolean baselineFirst = round % 2 == 0;
                runs.add(runOnce(baselineFirst ? pair[0] : pair[1], round));
                runs.add(runOnce(baselineFirst ? pair[1] : pair[0], round));
            }
            System.out.printf(Locale.ROOT, "[%s] round %d/%d done in %.0f s%n", client.phase(), round + 1, rounds,
                    (System.nanoTime() - start) / 1e9);
        }
        background = meter.describe();
    }

    private Run runOnce(Variant variant, int round) throws Exception {
        long primaryGets = gets(redis.primary());
        long replicaGets = gets(redis.replicas().get(0));
        List<String> jvm = new ArrayList<>(List.of("-Xms512m", "-Xmx512m"));
        jvm.addAll(variant.jvmArgs());
        Child.Result result = Child.java().jvmArgs(jvm).main(client.main(),
                "primary=" + redis.primary().port(), "replica=" + redis.replicas().get(0).port(),
                "readFrom=" + variant.readFrom(), "warmup=" + warmup, "ops=" + ops, "batch=" + batch)
                .run(300);
        if (result.number("errors") != 0) {
            throw new IllegalStateException(result.describe("had command errors"));
        }
        if (!variant.jvmArgs().isEmpty()) {
            boolean sg = variant.jvmArgs().stream().anyMatch(a -> a.contains("stateguard-agent"));
            if (sg && !result.stderr().contains("[stateguard] INFO StateGuard")) {
                throw new IllegalStateException(result.describe("did not start StateGuard"));
            }
            if (sg && !result.stderr().contains("instrumented " + client.instrumented())) {
                throw new IllegalStateException(result.describe("StateGuard instrumented no " + client.instrumented()
                        + "* class"));
            }
        }
        long primaryDelta = gets(redis.primary()) - primaryGets;
        long replicaDelta = gets(redis.replicas().get(0)) - replicaGets;
        double n = result.number("ops");
        Run run = new Run(variant, round, result.number("opsPerSecond"), result.number("p50Nanos"),
                result.number("p99Nanos"), result.number("cpuNanos") / n, result.number("threadCpuNanos") / n,
                result.number("allocatedBytes") / n,
                result.number("gcCount"), result.number("elapsedNanos") / n,
                (double) primaryDelta / Math.max(1, primaryDelta + replicaDelta), result.values().get("tracing"));
        System.out.printf(Locale.ROOT, "[%s] %-13s %8.0f ops/s  p50 %6.0f us  p99 %6.0f us  cpu %5.2f us/op (threads %5.2f)"
                        + "  alloc %5.0f B/op  GETs on primary %3.0f%%%n", client.phase(), variant.id(),
                run.opsPerSecond(), run.p50Nanos() / 1e3, run.p99Nanos() / 1e3, run.cpuNanosPerOp() / 1e3,
                run.threadCpuNanosPerOp() / 1e3, run.allocPerOp(), 100 * run.primaryGetShare());
        return run;
    }

    private static long gets(RedisNode node) {
        String stat = node.info("commandstats").get("cmdstat_get");
        if (stat == null) {
            return 0;
        }
        for (String part : stat.split(",")) {
            if (part.startsWith("calls=")) {
                return Long.parseLong(part.substring("calls=".length()));
            }
        }
        return 0;
    }

    // ---- results ----

    private List<Run> runsOf(Variant variant) {
        List<Run> of = new ArrayList<>();
        for (Run run : runs) {
            if (run.variant() == variant) {
                of.add(run);
            }
        }
        return of;
    }

    private Run runOf(Variant variant, int round) {
        for (Run run : runs) {
            if (run.variant() == variant && run.round() == round) {
                return run;
            }
        }
        throw new IllegalStateException("no run of " + variant.id() + " in round " + round);
    }

    /** Per round: {@code f(variant's run, baseline's run)}. */
    public List<Double> paired(Variant baseline, Variant variant, java.util.function.ToDoubleBiFunction<Run, Run> f) {
        List<Double> values = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            values.add(f.applyAsDouble(runOf(variant, round), runOf(baseline, round)));
        }
        return values;
    }

    public List<Double> throughputRatios(Variant baseline, Variant variant) {
        return paired(baseline, variant, (v, b) -> v.opsPerSecond() / b.opsPerSecond());
    }

    /** Ratios of the Java threads' CPU per op (JIT compilation and GC excluded). */
    public List<Double> cpuRatios(Variant baseline, Variant variant) {
        return paired(baseline, variant, (v, b) -> v.threadCpuNanosPerOp() / b.threadCpuNanosPerOp());
    }

    /** Ratios of the whole process's CPU per op. */
    public List<Double> processCpuRatios(Variant baseline, Variant variant) {
        return paired(baseline, variant, (v, b) -> v.cpuNanosPerOp() / b.cpuNanosPerOp());
    }

    /** Added CPU of the Java threads per command, ns. */
    public List<Double> addedCpu(Variant baseline, Variant variant) {
        return paired(baseline, variant, (v, b) -> v.threadCpuNanosPerOp() - b.threadCpuNanosPerOp());
    }

    /** Added bytes allocated per command (all threads). */
    public List<Double> addedAllocation(Variant baseline, Variant variant) {
        return paired(baseline, variant, (v, b) -> v.allocPerOp() - b.allocPerOp());
    }

    /** Added wall time per command (1 / throughput), ns. */
    public List<Double> addedWall(Variant baseline, Variant variant) {
        return paired(baseline, variant, (v, b) -> v.wallNanosPerOp() - b.wallNanosPerOp());
    }

    /** A/A: ratios of consecutive runs of the same variant (the no-agent baseline), throughput and CPU per op. */
    public List<Double> aaRatios(Variant variant, boolean cpu) {
        List<Run> of = runsOf(variant);
        List<Double> ratios = new ArrayList<>();
        for (int i = 1; i < of.size(); i++) {
            ratios.add(cpu ? of.get(i).threadCpuNanosPerOp() / of.get(i - 1).threadCpuNanosPerOp()
                    : of.get(i).opsPerSecond() / of.get(i - 1).opsPerSecond());
        }
        return ratios;
    }

    public double median(Variant variant, java.util.function.ToDoubleFunction<Run> f) {
        List<Double> values = new ArrayList<>();
        for (Run run : runsOf(variant)) {
            values.add(f.applyAsDouble(run));
        }
        return Stats.median(values);
    }

    public String background() {
        return background;
    }

    public int rounds() {
        return rounds;
    }

    public String setup() {
        if (client.main() == RedissonLoadClient.class) {
            return String.format(Locale.ROOT, "Redisson, %,d measured operations per run after %,d warm-up "
                    + "operations, in batches of %d asynchronous commands (`RBucket.getAsync`/`setAsync`, written as "
                    + "issued: Redisson has no manual flush; each batch awaited before the next), 80%% `GET` of %,d "
                    + "keys and 20%% `SET` of %,d other keys (the Lettuce workload's keys, values and sequence), "
                    + "`StringCodec`, master/slave configuration with static nodes, `ReadMode.SLAVE`, Redisson's "
                    + "default connection pools and threads, one forked JVM per run (`-Xms512m -Xmx512m`), %d rounds",
                    ops, warmup, batch, Workload.KEYS, Workload.KEYS, rounds);
        }
        return String.format(Locale.ROOT, "%,d measured operations per run after %,d warm-up operations, pipelined in "
                + "batches of %d (`setAutoFlushCommands(false)`, one `flushCommands()` per batch), 80%% `GET` of %,d "
                + "keys (`ReadFrom` of the app: `REPLICA_PREFERRED`, or `UPSTREAM` where stated) and 20%% `SET` of "
                + "%,d other keys, ~100-byte JSON values, `StringCodec.UTF8`, Master/Replica connection with static "
                + "nodes, one forked JVM per run (`-Xms512m -Xmx512m`), %d rounds", ops, warmup, batch, Workload.KEYS,
                Workload.KEYS, rounds);
    }

    /** The per-variant table: medians of the runs. */
    public String variantTable() {
        StringBuilder md = new StringBuilder();
        md.append("| variant | ops/s | p50 latency | p99 latency | CPU per op, Java threads | CPU per op, process"
                + " | allocated per op | GCs per run | GETs served by the primary |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Variant v : variants) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.0f µs | %.0f µs | %.2f µs | %.2f µs | %.0f B | %.1f"
                    + " | %.0f%% |\n",
                    v.label(), Stats.thousands(median(v, Run::opsPerSecond)), median(v, Run::p50Nanos) / 1e3,
                    median(v, Run::p99Nanos) / 1e3, median(v, Run::threadCpuNanosPerOp) / 1e3,
                    median(v, Run::cpuNanosPerOp) / 1e3, median(v, Run::allocPerOp),
                    median(v, Run::gcs), 100 * median(v, Run::primaryGetShare)));
        }
        return md.toString();
    }

    /** The ratio table: per pair, medians (min–max) over rounds. */
    public String ratioTable() {
        StringBuilder md = new StringBuilder();
        md.append("| variant / baseline (same round) | throughput ratio | CPU per op ratio, Java threads"
                + " | CPU per op ratio, process | p50 ratio | p99 ratio | added CPU per command (Java threads)"
                + " | added wall time per command |\n|---|---|---|---|---|---|---|---|\n");
        md.append("| A/A: ").append(none.label()).append(" / previous no-agent run | ")
                .append(Stats.spread(aaRatios(none, false), 3)).append(" | ")
                .append(Stats.spread(aaRatios(none, true), 3)).append(" | | | | | |\n");
        for (Variant[] pair : pairs) {
            md.append("| ").append(pair[1].label()).append(" / ").append(pair[0].label()).append(" | ")
                    .append(Stats.spread(throughputRatios(pair[0], pair[1]), 3)).append(" | ")
                    .append(Stats.spread(cpuRatios(pair[0], pair[1]), 3)).append(" | ")
                    .append(Stats.spread(processCpuRatios(pair[0], pair[1]), 3)).append(" | ")
                    .append(Stats.spread(paired(pair[0], pair[1], (v, b) -> v.p50Nanos() / b.p50Nanos()), 3))
                    .append(" | ")
                    .append(Stats.spread(paired(pair[0], pair[1], (v, b) -> v.p99Nanos() / b.p99Nanos()), 3))
                    .append(" | ").append(Stats.spread(addedCpu(pair[0], pair[1]), 0)).append(" ns | ")
                    .append(Stats.spread(addedWall(pair[0], pair[1]), 0)).append(" ns |\n");
        }
        return md.toString();
    }

    /** Every run, in order, for the raw-data appendix. */
    public String rawCsv() {
        StringBuilder csv = new StringBuilder("round,variant,ops_per_s,p50_ns,p99_ns,process_cpu_ns_per_op,"
                + "thread_cpu_ns_per_op,alloc_b_per_op,gcs,primary_get_share,tracing\n");
        for (Run r : runs) {
            csv.append(String.format(Locale.ROOT, "%d,%s,%.0f,%.0f,%.0f,%.1f,%.1f,%.1f,%.0f,%.3f,%s\n", r.round(),
                    r.variant().id(), r.opsPerSecond(), r.p50Nanos(), r.p99Nanos(), r.cpuNanosPerOp(),
                    r.threadCpuNanosPerOp(), r.allocPerOp(),
                    r.gcs(), r.primaryGetShare(), r.tracing()));
        }
        return csv.toString();
    }

    public Map<String, String> tracingByVariant() {
        Map<String, String> tracing = new LinkedHashMap<>();
        for (Run r : runs) {
            tracing.putIfAbsent(r.variant().id(), r.tracing());
        }
        return tracing;
    }
}
