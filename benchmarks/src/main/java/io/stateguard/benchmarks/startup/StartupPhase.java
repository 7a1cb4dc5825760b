package io.stateguard.benchmarks.startup;

import io.stateguard.benchmarks.Child;
import io.stateguard.benchmarks.Machine;
import io.stateguard.benchmarks.Stats;
import io.stateguard.harness.PrimaryReplicaTopology;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Start-up and start-up heap: {@link StartupApp} with and without {@code -javaagent:stateguard-agent.jar}, in
 * alternating order (with, without, without, with, ...), pairs of runs; the time from starting the process to
 * the first successful command, and heap, metaspace and classes after a full GC once it has run.
 */
public final class StartupPhase {

    private static final Pattern STARTED_IN = Pattern.compile("started in (\\d+) ms");

    private final PrimaryReplicaTopology redis;
    private final Path agentJar;
    private final int pairs;

    private final List<Double> addedMillis = new ArrayList<>();
    private final List<Double> withMillis = new ArrayList<>();
    private final List<Double> withoutMillis = new ArrayList<>();
    private final List<Double> premainMillis = new ArrayList<>();
    private final List<Double> addedHeap = new ArrayList<>();
    private final List<Double> addedMetaspace = new ArrayList<>();
    private final List<Double> addedClasses = new ArrayList<>();
    private final List<Double> heapWithout = new ArrayList<>();
    private final List<Double> configMillis = new ArrayList<>();
    private final List<Double> weaveMillis = new ArrayList<>();
    private String background = "";

    public StartupPhase(PrimaryReplicaTopology redis, Path agentJar, int pairs) {
        this.redis = redis;
        this.agentJar = agentJar;
        this.pairs = pairs;
    }

    public void run() throws Exception {
        Machine.Background meter = new Machine.Background(redis.primary().pid(), redis.replicas().get(0).pid());
        run(false);
        run(true); // unmeasured: page cache
        for (int i = 0; i < pairs; i++) {
            boolean agentFirst = i % 2 == 0;
            Child.Result first = run(agentFirst);
            Child.Result second = run(!agentFirst);
            Child.Result with = agentFirst ? first : second;
            Child.Result without = agentFirst ? second : first;
            withMillis.add(with.markerNanos() / 1e6);
            withoutMillis.add(without.markerNanos() / 1e6);
            addedMillis.add((with.markerNanos() - without.markerNanos()) / 1e6);
            addedHeap.add(with.number("heapUsed") - without.number("heapUsed"));
            addedMetaspace.add(with.number("metaspaceUsed") - without.number("metaspaceUsed"));
            addedClasses.add(with.number("loadedClasses") - without.number("loadedClasses"));
            heapWithout.add(without.number("heapUsed"));
            Matcher m = STARTED_IN.matcher(with.stderr());
            if (m.find()) {
                premainMillis.add(Double.parseDouble(m.group(1)));
            }
            System.out.printf(Locale.ROOT, "[startup] pair %d/%d: with %.0f ms, without %.0f ms, heap +%.0f KiB%n",
                    i + 1, pairs, with.markerNanos() / 1e6, without.markerNanos() / 1e6,
                    (with.number("heapUsed") - without.number("heapUsed")) / 1024);
        }
        for (int i = 0; i < Math.max(3, pairs / 2); i++) {
            configMillis.add(Child.java().jvmArgs("-cp", System.getProperty("java.class.path"),
                    ConfigCost.class.getName(), "keys=evolution:state:*").run(60).number("configMillis"));
            weaveMillis.add(Child.java().jvmArgs("-cp", System.getProperty("java.class.path"),
                    WeaveCost.class.getName()).run(60).number("weaveMillis"));
        }
        background = meter.describe();
    }

    public double medianPremainMillis() {
        return Stats.median(premainMillis);
    }

    public double medianConfigMillis() {
        return Stats.median(configMillis);
    }

    private Child.Result run(boolean withAgent) throws Exception {
        List<String> jvm = new ArrayList<>();
        if (withAgent) {
            jvm.add("-javaagent:" + agentJar + "=keys=evolution:state:*");
        }
        Child.Result result = Child.java().jvmArgs(jvm).main(StartupApp.class,
                String.valueOf(redis.primary().port()), String.valueOf(redis.replicas().get(0).port()))
                .run(120, "first-command-ok");
        if (result.markerNanos() < 0) {
            throw new IllegalStateException(result.describe("never printed first-command-ok"));
        }
        if (withAgent && !result.stderr().contains("instrumented io.lettuce.core.masterreplica")) {
            throw new IllegalStateException(result.describe("StateGuard instrumented no Master/Replica class"));
        }
        return result;
    }

    public double medianAddedMillis() {
        return Stats.median(addedMillis);
    }

    /** Weaving the Master/Replica classes and {@code CommandHandler}, cold, in a fresh JVM ({@link WeaveCost}). */
    public double medianWeaveMillis() {
        return Stats.median(weaveMillis);
    }

    public double medianAddedHeapBytes() {
        return Stats.median(addedHeap);
    }

    public String markdown() {
        return String.format(Locale.ROOT, """
                A small Lettuce app (`StartupApp`: `MasterReplica.connect` to the primary and the replica, \
                `REPLICA_PREFERRED`, one `GET`), started %d times with and %d times without \
                `-javaagent:stateguard-agent.jar=keys=evolution:state:*`, alternating (with/without, \
                without/with, ...); default JVM flags. Time from starting the process to the first successful \
                command, seen by the parent on the child's standard output.

                | measure | median (min–max over %d pairs) |
                |---|---|
                | time to first command, without agent | %s ms |
                | time to first command, with StateGuard | %s ms |
                | **added start-up time** (with − without, per pair) | **%s ms** |
                | the agent's `premain` (its log line "started in N ms"): configuration, key automaton, \
                registering a class file transformer | %s ms |
                | of which configuration, key automaton, first match and mark table, cold (`ConfigCost`, \
                run alone in %d fresh JVMs) | %s ms |
                | weaving the advice into `MasterReplicaChannelWriter`, `MasterReplicaConnectionProvider` and \
                `CommandHandler` as they load, cold, with the module decision that precedes it (`WeaveCost`, \
                same fresh JVMs; ASM loads here, not in `premain`) | %s ms |
                | heap used after full GC, without agent | %s KiB |
                | **added heap** after full GC, with − without | **%s KiB** |
                | added metaspace (classes: the agent, ASM, the instrumented Lettuce classes) | %s KiB |
                | added loaded classes | %s |

                Load during this phase: %s.
                """, pairs, pairs, pairs, Stats.spread(withoutMillis, 0), Stats.spread(withMillis, 0),
                Stats.spread(addedMillis, 0), Stats.spread(premainMillis, 0), configMillis.size(),
                Stats.spread(configMillis, 1), Stats.spread(weaveMillis, 1),
                Stats.spread(scale(heapWithout), 0),
                Stats.spread(scale(addedHeap), 0), Stats.spread(scale(addedMetaspace), 0),
                Stats.spread(addedClasses, 0), background);
    }

    private static List<Double> scale(List<Double> bytes) {
        List<Double> kib = new ArrayList<>();
        for (double b : bytes) {
            kib.add(b / 1024);
        }
        return kib;
    }
}
