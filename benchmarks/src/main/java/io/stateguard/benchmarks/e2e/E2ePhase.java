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
 * The end-to-end comparison: the same Lettuce workload ({@link LoadClient}) in one forked JVM per run, under each
 * variant, against one primary and one replica. Each round runs every pair (baseline, variant) back to back,
 * the pairs in a rotating order and, every other round, the variant first; figures are medians over rounds of
 * the per-pair ratios (and differences), with the smallest and largest pair.
 */
public final class E2ePhase {

    /** A way to run the client. */
    public record Variant(String id, String label, String readFrom, List<String> jvmArgs) {
    }

    /** One forked run. */
    public record Run(Variant variant, int round, double opsPerSecond, double p50Nanos, double p99Nanos,
            double cpuNanosPerOp, double threadCpuNanosPerOp, double allocPerOp, double gcs, double wallNanosPerOp, double primaryGetShare,
            String tracing) {
    }

    public static final String KEYS_NO_MATCH = "evolution:state:*:lock,evolution:instance:*";
    public static final String KEYS_ALL = "evolution:state:*";
    public static final String CHECKED = "keys=" + KEYS_ALL + ";version=json:/version;routing=replica-checked";

    private final PrimaryReplicaTopology redis;
    private final Path agentJar;
    private final Path otelJar;
    private final int rounds;
    private final int warmup;
    private final int ops;
    private final int batch;

    public final Variant none;
    public final Variant noMatch;
    public final Variant checked;
    public final Variant upstream;
    public final Variant primary;
    public final Variant otel;
    public final Variant both;
    private final List<Variant[]> pairs = new ArrayList<>();
    private final List<Run> runs = new ArrayList<>();
    private String background = "";

    public E2ePhase(PrimaryReplicaTopology redis, Path agentJar, Path otelJar, int rounds, int warmup, int ops,
            int batch) {
        this.redis = redis;
        this.agentJar = agentJar;
        this.otelJar = otelJar;
        this.rounds = rounds;
        this.warmup = warmup;
        this.ops = ops;
        this.batch = batch;
        List<String> otelArgs = List.of("-javaagent:" + otelJar, "-Dotel.traces.exporter=none",
                "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none", "-Dotel.service.name=stateguard-bench");
        none = new Variant("none", "no agent", "REPLICA_PREFERRED", List.of());
        noMatch = new Variant("sg-nomatch", "StateGuard, rules match no key", "REPLICA_PREFERRED",
                List.of(sg("keys=" + KEYS_NO_MATCH)));
        checked = new Variant("sg-checked", "StateGuard `replica-checked`, `version=json:/version`, all keys",
                "REPLICA_PREFERRED", List.of(sg(CHECKED)));
        upstream = new Variant("upstream", "no agent, `ReadFrom.UPSTREAM`", "UPSTREAM", List.of());
        primary = new Variant("sg-primary", "StateGuard, 100% of reads routed to the primary", "REPLICA_PREFERRED",
                List.of(sg("keys=" + KEYS_ALL)));
        otel = new Variant("otel", "OpenTelemetry Java agent alone", "REPLICA_PREFERRED", otelArgs);
        List<String> bothArgs = new ArrayList<>(otelArgs);
        bothArgs.add(sg(CHECKED));
        both = new Variant("otel+sg", "OpenTelemetry + StateGuard `replica-checked`", "REPLICA_PREFERRED", bothArgs);
        pairs.add(new Variant[] {none, noMatch});
        pairs.add(new Variant[] {none, checked});
        pairs.add(new Variant[] {upstream, primary});
        pairs.add(new Variant[] {none, otel});
        pairs.add(new Variant[] {none, both});
    }

    private String sg(String arguments) {
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

    /** Runs every round; the read keys must be loaded ({@link #load}). */
    public void run() throws Exception {
        Machine.Background meter = new Machine.Background(redis.primary().pid(), redis.replicas().get(0).pid());
        // One unmeasured run per JVM shape first: page cache, CDS archives, OTel's first extraction.
        runOnce(none, -1);
        runOnce(otel, -1);
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            for (int p = 0; p < pairs.size(); p++) {
                Variant[] pair = pairs.get((p + round) % pairs.size());
                boolean baselineFirst = round % 2 == 0;
                runs.add(runOnce(baselineFirst ? pair[0] : pair[1], round));
                runs.add(runOnce(baselineFirst ? pair[1] : pair[0], round));
            }
            System.out.printf(Locale.ROOT, "[e2e] round %d/%d done in %.0f s%n", round + 1, rounds,
                    (System.nanoTime() - start) / 1e9);
        }
        background = meter.describe();
    }

    private Run runOnce(Variant variant, int round) throws Exception {
        long primaryGets = gets(redis.primary());
        long replicaGets = gets(redis.replicas().get(0));
        List<String> jvm = new ArrayList<>(List.of("-Xms512m", "-Xmx512m"));
        jvm.addAll(variant.jvmArgs());
        Child.Result result = Child.java().jvmArgs(jvm).main(LoadClient.class,
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
            if (sg && !result.stderr().contains("instrumented io.lettuce.core.masterreplica")) {
                throw new IllegalStateException(result.describe("StateGuard instrumented no Master/Replica class"));
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
        System.out.printf(Locale.ROOT, "[e2e] %-11s %8.0f ops/s  p50 %6.0f us  p99 %6.0f us  cpu %5.2f us/op (threads %5.2f)"
                        + "  alloc %5.0f B/op  GETs on primary %3.0f%%%n", variant.id(), run.opsPerSecond(),
                run.p50Nanos() / 1e3, run.p99Nanos() / 1e3, run.cpuNanosPerOp() / 1e3, run.threadCpuNanosPerOp() / 1e3,
                run.allocPerOp(),
                100 * run.primaryGetShare());
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
        for (Variant v : List.of(none, noMatch, checked, upstream, primary, otel, both)) {
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
        for (Variant[] pair : List.of(new Variant[] {none, none}, new Variant[] {none, noMatch},
                new Variant[] {none, checked}, new Variant[] {upstream, primary}, new Variant[] {none, otel},
                new Variant[] {none, both})) {
            if (pair[0] == pair[1]) {
                md.append("| A/A: no agent / previous no-agent run | ").append(Stats.spread(aaRatios(none, false), 3))
                        .append(" | ").append(Stats.spread(aaRatios(none, true), 3)).append(" | | | | | |\n");
                continue;
            }
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
