package io.stateguard.benchmarks.replication;

import io.stateguard.benchmarks.Child;
import io.stateguard.benchmarks.Machine;
import io.stateguard.benchmarks.Stats;
import io.stateguard.benchmarks.micro.ReplicaDecisionCpu;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Replication awareness end to end: the status-polling workload ({@link StatusPollClient}) in one forked JVM per
 * run, against a primary and one replica that replicates through the harness's lag proxy, with the replica
 * 60 ms behind ({@code lagging}) and caught up ({@code caught-up}, no delay). Each round runs, for each delay,
 * every variant back to back (no agent, {@code routing=primary}, {@code causal}, {@code replica-checked}) in an
 * order that rotates from round to round; client CPU per read is compared with the {@code primary} run of the
 * same round and delay (median of the per-round ratios, with the smallest and largest).
 *
 * <p>It also measures the routing decision's CPU time per read in a forked JVM ({@link ReplicaDecisionCpu}: the
 * calling thread's CPU time, rules in turn), a check of the JMH figure that other processes cannot inflate.
 */
public final class ReplicationPhase {

    /** The state keys of the workload. */
    public static final String KEYS = "status:*";
    public static final long LAG_MILLIS = 60;

    /** A way to run the client. */
    public record Variant(String id, String label, String agentArguments) {
    }

    /** One forked run. */
    public record Run(Variant variant, long delayMillis, int round, double reads, double readsPerSecond,
            double cpuNanosPerRead, double threadCpuNanosPerRead, double replicaShare, double primaryGets, double replicaGets, double stale,
            double staleOwn, double staleWholeRun, double writes) {
    }

    private final PrimaryReplicaTopology redis;
    private final Path agentJar;
    private final int rounds;
    private final int keys;
    private final int pollers;
    private final int batch;
    private final long warmupMillis;
    private final long measureMillis;

    public final Variant none = new Variant("none", "no agent (`ReadFrom.REPLICA` as the application set it)", null);
    public final Variant primary = new Variant("primary", "`routing=primary`", "keys=" + KEYS + ";routing=primary");
    public final Variant causal = new Variant("causal", "`routing=causal`", "keys=" + KEYS + ";routing=causal");
    public final Variant checked = new Variant("replica-checked", "`routing=replica-checked`, `version=json:/v`",
            "keys=" + KEYS + ";version=json:/v;routing=replica-checked");
    private final List<Variant> variants = List.of(none, primary, causal, checked);
    private final List<Run> runs = new ArrayList<>();
    private final java.util.Map<String, List<Double>> decisionCpu = new java.util.HashMap<>();
    private String background = "";

    public ReplicationPhase(PrimaryReplicaTopology redis, Path agentJar, int rounds, int keys, int pollers,
            int batch, long warmupMillis, long measureMillis) {
        if (!redis.hasLaggingReplicas()) {
            throw new IllegalArgumentException("the replication phase needs a replica behind a lag proxy");
        }
        this.redis = redis;
        this.agentJar = agentJar;
        this.rounds = rounds;
        this.keys = keys;
        this.pollers = pollers;
        this.batch = batch;
        this.warmupMillis = warmupMillis;
        this.measureMillis = measureMillis;
    }

    /** The delays of the replication stream, in the order each round runs them. */
    public static long[] delays() {
        return new long[] {LAG_MILLIS, 0};
    }

    /** Writes every status key on the primary (version 1) and waits until the replica has them. */
    private void load() {
        RedisNode node = redis.primary();
        for (int start = 0; start < keys; start += 100) {
            List<String> args = new ArrayList<>(List.of("MSET"));
            for (int i = start; i < Math.min(keys, start + 100); i++) {
                args.add(StatusPollClient.key(i));
                args.add(StatusPollClient.value(1));
            }
            node.command(args.toArray(new String[0]));
        }
        redis.awaitReplicated();
    }

    public void run() throws Exception {
        load();
        Machine.Background meter = new Machine.Background(redis.primary().pid(), redis.replicas().get(0).pid());
        // One unmeasured run first: page cache, CDS archive, the agent jar.
        runOnce(causal, 0, -1);
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            for (long delay : delays()) {
                for (int v = 0; v < variants.size(); v++) {
                    Variant variant = variants.get((v + round) % variants.size());
                    runs.add(runOnce(variant, delay, round));
                }
            }
            System.out.printf(Locale.ROOT, "[replication] round %d/%d done in %.0f s%n", round + 1, rounds,
                    (System.nanoTime() - start) / 1e9);
        }
        redis.lagProxy(0).setDelayMillis(0);
        background = meter.describe();
        measureDecisionCpu();
    }

    /** The decision's thread CPU per read, rules in turn in one forked JVM. */
    private void measureDecisionCpu() throws Exception {
        System.out.println("[replication] the decision's CPU per read (primary, causal, causalWritten in turn)");
        Child.Result result = Child.java().jvmArgs("-Xms256m", "-Xmx256m")
                .mainWithAgentClasses(ReplicaDecisionCpu.class, "rounds=" + Math.max(5, 3 * rounds)).run(300);
        for (String rule : List.of("primary", "causal", "causalWritten")) {
            List<Double> values = new ArrayList<>();
            for (String figure : result.values().get(rule).split(",")) {
                values.add(Double.parseDouble(figure));
            }
            decisionCpu.put(rule, values);
        }
        System.out.printf(Locale.ROOT, "[replication] decision CPU per read: primary %s ns, causal %s ns, causal "
                + "(key written) %s ns; added by causal %s / %s ns%n", Stats.spread(decisionCpu.get("primary"), 1),
                Stats.spread(decisionCpu.get("causal"), 1), Stats.spread(decisionCpu.get("causalWritten"), 1),
                Stats.spread(addedDecisionCpu("causal"), 1), Stats.spread(addedDecisionCpu("causalWritten"), 1));
    }

    /** Per round: the decision's thread CPU per read under {@code rule} minus under {@code primary}, ns. */
    public List<Double> addedDecisionCpu(String rule) {
        List<Double> added = new ArrayList<>();
        List<Double> primaryCpu = decisionCpu.getOrDefault("primary", List.of());
        List<Double> ruleCpu = decisionCpu.getOrDefault(rule, List.of());
        for (int i = 0; i < Math.min(primaryCpu.size(), ruleCpu.size()); i++) {
            added.add(ruleCpu.get(i) - primaryCpu.get(i));
        }
        return added;
    }

    /** The decision's thread CPU per read under {@code rule} ({@code primary}, {@code causal}, {@code causalWritten}). */
    public List<Double> decisionCpu(String rule) {
        return decisionCpu.getOrDefault(rule, List.of());
    }

    private Run runOnce(Variant variant, long delayMillis, int round) throws Exception {
        redis.lagProxy(0).setDelayMillis(delayMillis);
        redis.awaitReplicated();
        List<String> jvm = new ArrayList<>(List.of("-Xms256m", "-Xmx256m"));
        if (variant.agentArguments() != null) {
            jvm.add("-javaagent:" + agentJar + "=" + variant.agentArguments());
        }
        Child.Result result = Child.java().jvmArgs(jvm).main(StatusPollClient.class,
                "primary=" + redis.primary().port(), "replica=" + redis.replicas().get(0).port(), "keys=" + keys,
                "pollers=" + pollers, "batch=" + batch, "writeEveryMillis=50", "warmupMillis=" + warmupMillis,
                "measureMillis=" + measureMillis).run(120);
        if (result.number("errors") != 0) {
            throw new IllegalStateException(result.describe("had command errors"));
        }
        if (variant.agentArguments() != null) {
            if (!result.stderr().contains("[stateguard] INFO StateGuard")) {
                throw new IllegalStateException(result.describe("did not start StateGuard"));
            }
            if (result.stderr().contains("internal error")) {
                throw new IllegalStateException(result.describe("logged an internal error of the agent"));
            }
            if (variant != primary && !result.stderr().contains("replication monitor: polling INFO replication")) {
                throw new IllegalStateException(result.describe("started no replication monitor"));
            }
        }
        Run run = new Run(variant, delayMillis, round, result.number("reads"), result.number("readsPerSecond"),
                result.number("cpuNanosPerRead"), result.number("threadCpuNanosPerRead"), result.number("replicaShare"), result.number("primaryGets"),
                result.number("replicaGets"), result.number("stale"), result.number("staleOwn"),
                result.number("staleWholeRun"), result.number("writes"));
        System.out.printf(Locale.ROOT, "[replication] %-15s delay %2d ms  %7.0f reads/s  cpu %6.2f us/read (threads %6.2f)  "
                        + "replica share %5.1f%%  stale %d (own writes %d; whole run %d)  writes %d%n", variant.id(),
                delayMillis, run.readsPerSecond(), run.cpuNanosPerRead() / 1e3, run.threadCpuNanosPerRead() / 1e3,
                100 * run.replicaShare(),
                (long) run.stale(), (long) run.staleOwn(), (long) run.staleWholeRun(), (long) run.writes());
        return run;
    }

    // ---- results ----

    private List<Run> runsOf(Variant variant, long delay) {
        List<Run> of = new ArrayList<>();
        for (Run run : runs) {
            if (run.variant() == variant && run.delayMillis() == delay && run.round() >= 0) {
                of.add(run);
            }
        }
        return of;
    }

    private List<Double> values(Variant variant, long delay, java.util.function.ToDoubleFunction<Run> f) {
        List<Double> values = new ArrayList<>();
        for (Run run : runsOf(variant, delay)) {
            values.add(f.applyAsDouble(run));
        }
        return values;
    }

    /** Share of the measured windows' {@code GET}s served by the replica, per run. */
    public List<Double> replicaShares(Variant variant, long delay) {
        return values(variant, delay, Run::replicaShare);
    }

    /** Stale reads summed over every run (whole runs, warm-up included). */
    public long staleReads(Variant variant, long delay) {
        return (long) values(variant, delay, Run::staleWholeRun).stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Stale reads of the app's own acknowledged writes, summed over the measured windows. */
    public long staleOwnReads(Variant variant, long delay) {
        return (long) values(variant, delay, Run::staleOwn).stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Reads summed over the measured windows. */
    public long reads(Variant variant, long delay) {
        return (long) values(variant, delay, Run::reads).stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Per round: client CPU per read of {@code variant} / that of {@code routing=primary} (same delay). */
    public List<Double> cpuRatios(Variant variant, long delay) {
        return cpuRatios(variant, primary, delay);
    }

    /** Per round: client process CPU per read of {@code variant} / that of {@code baseline} (same delay). */
    public List<Double> cpuRatios(Variant variant, Variant baseline, long delay) {
        return ratios(variant, baseline, delay, Run::cpuNanosPerRead);
    }

    /** Per round: CPU per read of the Java threads of {@code variant} / that of {@code baseline} (same delay). */
    public List<Double> threadCpuRatios(Variant variant, Variant baseline, long delay) {
        return ratios(variant, baseline, delay, Run::threadCpuNanosPerRead);
    }

    private List<Double> ratios(Variant variant, Variant baseline, long delay,
            java.util.function.ToDoubleFunction<Run> f) {
        List<Double> ratios = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            ratios.add(f.applyAsDouble(runOf(variant, delay, round)) / f.applyAsDouble(runOf(baseline, delay, round)));
        }
        return ratios;
    }

    /**
     * A/A: per delay, ratios of CPU per read of consecutive no-agent runs (rounds r and r-1), process or Java
     * threads: how much two runs of the same client differ here.
     */
    public List<Double> aaRatios(boolean threads) {
        List<Double> ratios = new ArrayList<>();
        for (long delay : delays()) {
            for (int round = 1; round < rounds; round++) {
                Run now = runOf(none, delay, round);
                Run before = runOf(none, delay, round - 1);
                ratios.add(threads ? now.threadCpuNanosPerRead() / before.threadCpuNanosPerRead()
                        : now.cpuNanosPerRead() / before.cpuNanosPerRead());
            }
        }
        return ratios;
    }

    private Run runOf(Variant variant, long delay, int round) {
        for (Run run : runs) {
            if (run.variant() == variant && run.delayMillis() == delay && run.round() == round) {
                return run;
            }
        }
        throw new IllegalStateException("no run of " + variant.id() + " at " + delay + " ms in round " + round);
    }

    public int rounds() {
        return rounds;
    }

    public String background() {
        return background;
    }

    public String setup() {
        return String.format(Locale.ROOT, "%d status keys (`status:inst:<n>`, values `{\"v\":N}`), one writer thread "
                + "rewriting a random key every 50 ms with an increasing version, %d poller threads reading random keys "
                + "continuously in rounds of %d asynchronous `GET`s (issued together, then awaited), one Lettuce Master/Replica connection (static nodes) with "
                + "`ReadFrom.REPLICA`; a primary and one replica replicating through the test harness's lag proxy, "
                + "which delays the replication stream by %d ms (*lagging*) or not at all (*caught up*). One forked "
                + "JVM per run (`-Xms256m -Xmx256m`), %.1f s of warm-up, then %.1f s measured; %d rounds, each "
                + "running every variant at both delays, in an order rotating from round to round", keys, pollers, batch,
                LAG_MILLIS, warmupMillis / 1e3, measureMillis / 1e3, rounds);
    }

    /** The per-variant table: both delays. */
    public String table() {
        StringBuilder md = new StringBuilder();
        md.append("| replica | variant | state reads served by the replica | stale reads (of own writes) | reads/s "
                + "| client CPU per read, process (Java threads) | ratio to `routing=primary`, process; Java threads "
                + "| ratio to no agent, process; Java threads |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (long delay : delays()) {
            for (Variant v : variants) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d (%d) of %,d | %s | %.1f (%.1f) µs | %s | %s |\n",
                        delay == 0 ? "caught up" : delay + " ms behind", v.label(),
                        Stats.spreadPercent(replicaShares(v, delay), 1), staleReads(v, delay),
                        staleOwnReads(v, delay), reads(v, delay),
                        Stats.thousands(Stats.median(values(v, delay, Run::readsPerSecond))),
                        Stats.median(values(v, delay, Run::cpuNanosPerRead)) / 1e3,
                        Stats.median(values(v, delay, Run::threadCpuNanosPerRead)) / 1e3,
                        v == primary ? "1" : Stats.spread(cpuRatios(v, delay), 3) + "; threads "
                                + Stats.spread(threadCpuRatios(v, primary, delay), 3),
                        v == none ? "1" : Stats.spread(cpuRatios(v, none, delay), 3) + "; threads "
                                + Stats.spread(threadCpuRatios(v, none, delay), 3)));
            }
        }
        return md.toString();
    }

    /** Every run, for the raw results. */
    public String rawCsv() {
        StringBuilder csv = new StringBuilder("round,delay_ms,variant,reads,reads_per_s,cpu_ns_per_read,"
                + "thread_cpu_ns_per_read,replica_share,"
                + "primary_gets,replica_gets,stale,stale_own,stale_whole_run,writes\n");
        for (Run r : runs) {
            csv.append(String.format(Locale.ROOT, "%d,%d,%s,%.0f,%.0f,%.1f,%.1f,%.4f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f\n",
                    r.round(), r.delayMillis(), r.variant().id(), r.reads(), r.readsPerSecond(), r.cpuNanosPerRead(),
                    r.threadCpuNanosPerRead(),
                    r.replicaShare(), r.primaryGets(), r.replicaGets(), r.stale(), r.staleOwn(), r.staleWholeRun(),
                    r.writes()));
        }
        return csv.toString();
    }
}
