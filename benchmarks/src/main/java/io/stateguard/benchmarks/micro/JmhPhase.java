package io.stateguard.benchmarks.micro;

import io.stateguard.benchmarks.Machine;
import io.stateguard.benchmarks.Stats;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** Runs the JMH benchmarks of this package in-process (each benchmark in its own forked JVM) and tabulates them. */
public final class JmhPhase {

    private static final int[] PATTERNS = {1, 10, 100, 1000};
    private static final String[] METHODS = {"keyMatcher", "commandKeys", "decision"};

    private final Path resultFile;
    private final int warmupIterations;
    private final int iterations;
    private final long iterationMillis;
    private final String include;
    private Collection<RunResult> results = List.of();
    private String background = "";

    public JmhPhase(Path resultFile, int warmupIterations, int iterations, long iterationMillis, String include) {
        this.resultFile = resultFile;
        this.warmupIterations = warmupIterations;
        this.iterations = iterations;
        this.iterationMillis = iterationMillis;
        this.include = include;
    }

    public void run() throws Exception {
        Machine.Background meter = new Machine.Background();
        Options options = new OptionsBuilder()
                .include(include)
                .forks(1)
                .warmupIterations(warmupIterations)
                .warmupTime(TimeValue.milliseconds(iterationMillis))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.milliseconds(iterationMillis))
                .jvmArgs("-Xms1g", "-Xmx1g")
                // Bytes allocated per operation (exact, unlike times): what the guard adds to a command.
                .addProfiler(org.openjdk.jmh.profile.GCProfiler.class)
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(resultFile.toString())
                .build();
        results = new Runner(options).run();
        background = meter.describe();
    }

    public String settings() {
        return String.format(Locale.ROOT, "JMH, 1 fork per benchmark, %d warm-up and %d measured iterations of %d ms; "
                + "each figure is the median of the measured iterations, with their (min–max): on this shared 2-core "
                + "machine an iteration that meets a GC pause or another process moves a mean by more than the effect", warmupIterations, iterations,
                iterationMillis);
    }

    public String background() {
        return background;
    }

    private Result find(String method, String... params) {
        outer:
        for (RunResult run : results) {
            if (!run.getParams().getBenchmark().endsWith("." + method)) {
                continue;
            }
            for (int i = 0; i < params.length; i += 2) {
                if (!params[i + 1].equals(run.getParams().getParam(params[i]))) {
                    continue outer;
                }
            }
            return run.getPrimaryResult();
        }
        return null;
    }

    /** The median of the benchmark's measured iterations (robust to the odd disturbed iteration). */
    private static double score(Result r) {
        return r.getStatistics().getPercentile(50);
    }

    /** ns/op of a decision benchmark. */
    public double decisionNanos(String method, int patterns, String outcome, int keyLength) {
        Result r = find(method, "patterns", String.valueOf(patterns), "outcome", outcome, "keyLength",
                String.valueOf(keyLength));
        return r == null ? Double.NaN : score(r);
    }

    /** {@code median (min–max) unit} over the measured iterations, or a dash for a combination that was not run. */
    private String cell(Result r, String unit) {
        if (r == null) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.1f (%.1f–%.1f)%s", score(r), r.getStatistics().getMin(),
                r.getStatistics().getMax(), unit);
    }

    /** Worst (largest) 1,000-pattern / 10-pattern ratio of {@code method} over key lengths and outcomes. */
    public double worstScaling(String method) {
        double worst = 0;
        for (int keyLength : new int[] {16, 200}) {
            for (String outcome : new String[] {"hit", "miss"}) {
                worst = Math.max(worst, decisionNanos(method, 1000, outcome, keyLength)
                        / decisionNanos(method, 10, outcome, keyLength));
            }
        }
        return worst;
    }

    public String decisionTable() {
        StringBuilder md = new StringBuilder();
        md.append("| patterns | key | outcome | `KeyMatcher.match(byte[])` | `CommandKeys.firstAcceptedRule` on a Lettuce "
                + "`CommandArgs` | **full decision** (writer + provider advice calls) |\n|---:|---:|---|---:|---:|---:|\n");
        for (int keyLength : new int[] {16, 200}) {
            for (String outcome : new String[] {"hit", "miss"}) {
                for (int patterns : PATTERNS) {
                    md.append(String.format(Locale.ROOT, "| %,d | %d B | %s |", patterns, keyLength, outcome));
                    for (String method : METHODS) {
                        md.append(' ').append(cell(find(method, "patterns", String.valueOf(patterns), "outcome",
                                outcome, "keyLength", String.valueOf(keyLength)), " ns")).append(" |");
                    }
                    md.append('\n');
                }
            }
        }
        md.append("\nCost of 1,000 patterns relative to 10 patterns (same key, same outcome):\n\n");
        md.append("| key | outcome |");
        for (String method : METHODS) {
            md.append(" `").append(method).append("` |");
        }
        md.append("\n|---:|---|---:|---:|---:|\n");
        for (int keyLength : new int[] {16, 200}) {
            for (String outcome : new String[] {"hit", "miss"}) {
                md.append(String.format(Locale.ROOT, "| %d B | %s |", keyLength, outcome));
                for (String method : METHODS) {
                    md.append(String.format(Locale.ROOT, " %.2f× |", decisionNanos(method, 1000, outcome, keyLength)
                            / decisionNanos(method, 10, outcome, keyLength)));
                }
                md.append('\n');
            }
        }
        md.append("\nPer key byte (200-byte minus 16-byte key, divided by 184), full decision, 10 patterns: ");
        md.append(String.format(Locale.ROOT, "hit %.2f ns/byte, miss %.2f ns/byte.\n",
                (decisionNanos("decision", 10, "hit", 200) - decisionNanos("decision", 10, "hit", 16)) / 184,
                (decisionNanos("decision", 10, "miss", 200) - decisionNanos("decision", 10, "miss", 16)) / 184));
        return md.toString();
    }

    public String versionTable() {
        StringBuilder md = new StringBuilder();
        md.append("| value | `version` member | ns per extraction | bytes scanned per ns |\n|---:|---|---:|---:|\n");
        for (String size : new String[] {"200", "65536"}) {
            for (String position : new String[] {"first", "last"}) {
                Result r = find("extract", "valueBytes", size, "position", position);
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |\n",
                        size.equals("200") ? "200 B" : "64 KiB", position, cell(r, ""),
                        r == null || position.equals("first") ? "–"
                                : Stats.format(Integer.parseInt(size) / score(r), 2)));
            }
        }
        return md.toString();
    }

    public double versionNanos(String size, String position) {
        Result r = find("extract", "valueBytes", size, "position", position);
        return r == null ? Double.NaN : score(r);
    }

    /**
     * The version guard's cost per checked read on real Lettuce commands ({@code GuardBenchmark}:
     * {@code checkedRead} minus {@code baseline}), ns; NaN when not run.
     */
    public double guardNanos() {
        Result checked = find("checkedRead");
        Result baseline = find("baseline");
        return checked == null || baseline == null ? Double.NaN : score(checked) - score(baseline);
    }

    public String guardTable() {
        Result checked = find("checkedRead");
        Result baseline = find("baseline");
        if (checked == null || baseline == null) {
            return "";
        }
        StringBuilder md = new StringBuilder(String.format(java.util.Locale.ROOT, "| build, write and complete a "
                + "`GET` (no guard) | with the guard (`onWrite` + `onComplete`, reply checked) | **guard per checked "
                + "read** | bytes allocated per read, without / with the guard |\n|---:|---:|---:|---:|\n"
                + "| %s | %s | **%.0f ns** | %s / %s |\n", cell(baseline, " ns"), cell(checked, " ns"), guardNanos(),
                allocated("baseline"), allocated("checkedRead")));
        Result build = find("build");
        Result dispatch = find("dispatch");
        Result record = find("pendingRecord");
        if (build != null && dispatch != null && record != null) {
            double dispatchSide = score(dispatch) - score(build);
            md.append(String.format(java.util.Locale.ROOT, "\nWhere the time goes: the dispatch side (`onWrite`: kind, "
                    + "key match, key bytes, the tracked record, the pending entry; `dispatch` %s minus `build` %s) "
                    + "%.0f ns, of which the weak pending-command entry alone (`pendingRecord`) %.0f ns; the completion "
                    + "side (finding the record, reading the reply, `json:/version`, the high-water mark, the verdict) "
                    + "the remaining %.0f ns. Bytes allocated per operation: `dispatch` %s (`build` %s), "
                    + "`pendingRecord` %s.\n", cell(dispatch, " ns"), cell(build, " ns"), dispatchSide, score(record),
                    guardNanos() - dispatchSide, allocated("dispatch"), allocated("build"), allocated("pendingRecord")));
        }
        return md.toString();
    }

    /** Bytes allocated per operation of {@code method} (JMH's GC profiler), or a dash. */
    private String allocated(String method) {
        for (RunResult run : results) {
            if (run.getParams().getBenchmark().endsWith("." + method)) {
                Result bytes = run.getSecondaryResults().get("gc.alloc.rate.norm");
                return bytes == null ? "–" : String.format(Locale.ROOT, "%.0f B", bytes.getScore());
            }
        }
        return "–";
    }

    /**
     * ns per read of {@code ReplicaDecisionBenchmark.decision} for {@code rule} ({@code primary}, {@code causal},
     * {@code causalWritten}); NaN when not run.
     */
    public double replicaDecisionNanos(String rule) {
        for (RunResult run : results) {
            if (run.getParams().getBenchmark().endsWith("ReplicaDecisionBenchmark.decision")
                    && rule.equals(run.getParams().getParam("rule"))) {
                return score(run.getPrimaryResult());
            }
        }
        return Double.NaN;
    }

    /**
     * Whether {@code DecisionBenchmark} ran (a run of some benchmarks only, {@code JMH_INCLUDE}, may leave it out:
     * its rows are then left out of the report).
     */
    public boolean ranDecision() {
        return !Double.isNaN(decisionNanos("decision", 10, "miss", 16));
    }

    /** Whether {@code ReplicaDecisionBenchmark} ran. */
    public boolean ranReplicaDecision() {
        return !Double.isNaN(replicaDecisionNanos("primary"));
    }

    public String replicaDecisionTable() {
        StringBuilder md = new StringBuilder("| rule | read goes to | ns per read | added over `primary` | bytes "
                + "allocated per read |\n|---|---|---:|---:|---:|\n");
        double primary = replicaDecisionNanos("primary");
        for (String[] r : new String[][] {{"primary", "`routing=primary`", "the primary"},
                {"causal", "`routing=causal`, key never written by this process", "the replica"},
                {"causalWritten", "`routing=causal`, key written by this process, applied by the replica",
                        "the replica"}}) {
            RunResult run = null;
            for (RunResult candidate : results) {
                if (candidate.getParams().getBenchmark().endsWith("ReplicaDecisionBenchmark.decision")
                        && r[0].equals(candidate.getParams().getParam("rule"))) {
                    run = candidate;
                }
            }
            if (run == null) {
                continue;
            }
            Result bytes = run.getSecondaryResults().get("gc.alloc.rate.norm");
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |\n", r[1], r[2],
                    cell(run.getPrimaryResult(), " ns"), r[0].equals("primary") ? "–"
                            : String.format(Locale.ROOT, "%.1f ns", replicaDecisionNanos(r[0]) - primary),
                    bytes == null ? "–" : String.format(Locale.ROOT, "%.0f B", bytes.getScore())));
        }
        return md.toString();
    }

    /** ns per mark update from one thread. */
    public double markUpdateNanos() {
        Result r = find("observe1Thread");
        return r == null ? Double.NaN : 1e3 / score(r);
    }

    public String highWaterTable() {
        StringBuilder md = new StringBuilder();
        md.append("| threads | updates per second (all threads) | ns per update per thread |\n|---:|---:|---:|\n");
        for (String[] m : new String[][] {{"observe1Thread", "1"}, {"observe8Threads", "8"}}) {
            Result r = find(m[0]);
            if (r == null) {
                md.append("| ").append(m[1]).append(" | – | – |\n");
                continue;
            }
            int threads = Integer.parseInt(m[1]);
            md.append(String.format(Locale.ROOT, "| %d | %s (%s–%s) | %.1f |\n", threads,
                    Stats.thousands(score(r) * 1e6),
                    Stats.thousands(r.getStatistics().getMin() * 1e6),
                    Stats.thousands(r.getStatistics().getMax() * 1e6),
                    1e3 * threads / score(r)));
        }
        return md.toString();
    }

    public List<String> benchmarkNames() {
        List<String> names = new ArrayList<>();
        for (RunResult r : results) {
            names.add(r.getParams().getBenchmark());
        }
        return names;
    }
}
