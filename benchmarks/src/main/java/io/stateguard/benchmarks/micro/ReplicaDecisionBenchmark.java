package io.stateguard.benchmarks.micro;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ConnectionIntent;
import io.stateguard.agent.config.RoutingMode;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.keys.GlobPattern;
import io.stateguard.agent.keys.KeyHash;
import io.stateguard.agent.lettuce.LettuceDispatch;
import io.stateguard.agent.replication.ClientTopology;
import io.stateguard.agent.replication.Endpoint;
import io.stateguard.agent.replication.ReplicationMonitor;
import io.stateguard.agent.replication.ShardNodes;
import io.stateguard.agent.replication.ShardView;
import io.stateguard.agent.routing.PrimaryRouting;
import io.stateguard.agent.routing.RoutingPolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The routing decision of a read of a state key for a {@code causal} rule against a {@code primary} rule (one
 * rule, pattern {@code status:*}, the 18-byte key {@code status:inst:100042}): the writer and provider advice
 * calls ({@link LettuceDispatch#onWrite}, {@link LettuceDispatch#routeIntent} on {@code ConnectionIntent.READ},
 * {@link LettuceDispatch#onWriteExit}), as in {@link DecisionBenchmark}'s {@code decision}.
 *
 * <p>{@code rule}:
 * <ul>
 *   <li>{@code primary}: the read goes to the primary ({@code WRITE} intent);</li>
 *   <li>{@code causal}: a key this process never wrote, the replica caught up: the read stays on the replicas
 *       (the key's hash, the write-ack table, the published view);</li>
 *   <li>{@code causalWritten}: a key this process wrote (its acknowledgement older than the monitor's newest
 *       sample) and the replica has applied it: also the search of the primary's offset timeline.</li>
 * </ul>
 *
 * <p>The replication monitor is the agent's own ({@link ReplicationMonitor}, polling every 50 ms on its thread, a
 * full timeline of 256 samples after 12.8 s), given a fixture topology that answers {@code INFO replication}
 * at once with fixed text: a primary at offset 1,000 and a replica that has applied it. The decision reads what
 * it published, as in the agent.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReplicaDecisionBenchmark {

    static final String KEY = "status:inst:100042";

    @Param({"primary", "causal", "causalWritten"})
    public String rule;

    /** The application's channel writer, as the monitor knows the topology. */
    private final Object writer = new Object();
    private Command<String, String, String> command;
    private ReplicationMonitor monitor;
    private final ReplicationMonitor.TopologyFactory factory = client -> client == writer ? new FixedTopology() : null;

    @Setup
    public void setUp() throws Exception {
        RoutingMode mode = rule.equals("primary") ? RoutingMode.PRIMARY : RoutingMode.CAUSAL;
        RoutingPolicy policy = RoutingPolicy.of(List.of(new Rule(Rule.DEFAULT_NAME,
                List.of(GlobPattern.compile("status:*")), mode)));
        command = new Command<>(CommandType.GET, null, new CommandArgs<>(StringCodec.UTF8).addKey(KEY));
        PrimaryRouting.install(policy);
        Object expected = ConnectionIntent.WRITE;
        if (mode == RoutingMode.CAUSAL) {
            monitor = new ReplicationMonitor(TimeUnit.MILLISECONDS.toNanos(50), null, System::nanoTime);
            ReplicationMonitor.addFactory(factory);
            ReplicationMonitor.install(monitor);
            if (rule.equals("causalWritten")) {
                monitor.acks().acknowledged(KeyHash.ofUtf8(KEY), System.nanoTime());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                ShardView view = monitor.view(writer, -1);
                if (view != null && view.complete() && (rule.equals("causal")
                        || view.offsetSentAfter(monitor.acks().ackNanos(KeyHash.ofUtf8(KEY))) != ShardView.NOT_YET)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the monitor published no complete view: " + view);
                }
                Thread.sleep(10);
            }
            expected = ConnectionIntent.READ;
        }
        // The benchmark must measure the intended outcome, and not the fail-open path (an internal error also
        // leaves the read on the replicas).
        long errors = InternalErrors.count("routing.decide");
        if (decision() != expected || InternalErrors.count("routing.decide") != errors) {
            throw new IllegalStateException("unexpected decision for rule " + rule + ": " + InternalErrors.snapshot());
        }
    }

    @TearDown
    public void tearDown() {
        PrimaryRouting.uninstall();
        ReplicationMonitor.uninstall();
    }

    @Benchmark
    public Object decision() {
        LettuceDispatch.onWrite(writer, command);
        try {
            return LettuceDispatch.routeIntent(ConnectionIntent.READ);
        } finally {
            LettuceDispatch.onWriteExit();
        }
    }

    /** A benchmark fixture: one shard, a primary at offset 1,000 and a replica that applied it, answered at once. */
    static final class FixedTopology implements ClientTopology {

        static final String REPLICATION_ID = "8f3c2d1e0b9a8f7e6d5c4b3a29180716f5e4d3c2";
        static final Endpoint PRIMARY = new Endpoint("127.0.0.1", 6379);
        static final Endpoint REPLICA = new Endpoint("127.0.0.1", 6380);

        @Override
        public boolean inUse() {
            return true;
        }

        @Override
        public List<ShardNodes> shards() {
            return List.of(new ShardNodes(PRIMARY, List.of(REPLICA), null));
        }

        @Override
        public void info(Endpoint node, InfoAnswer answer) {
            answer.answered(node.equals(PRIMARY)
                    ? "# Replication\r\nrole:master\r\nconnected_slaves:1\r\nmaster_replid:" + REPLICATION_ID
                            + "\r\nmaster_repl_offset:1000\r\n"
                    : "# Replication\r\nrole:slave\r\nmaster_link_status:up\r\nslave_repl_offset:1000\r\n"
                            + "master_replid:" + REPLICATION_ID + "\r\n");
        }

        @Override
        public void forget(Endpoint node) {
        }

        @Override
        public void close() {
        }

        @Override
        public String describe() {
            return "fixture " + PRIMARY;
        }
    }
}
