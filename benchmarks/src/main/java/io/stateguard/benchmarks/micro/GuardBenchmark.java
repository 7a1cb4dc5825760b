package io.stateguard.benchmarks.micro;

import io.lettuce.core.codec.StringCodec;
import io.stateguard.agent.keys.KeyPrivacy;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.guard.VersionGuard;
import io.stateguard.agent.guard.GuardRuntime;
import io.stateguard.agent.internal.WeakIdentityMap;
import io.stateguard.agent.lettuce.LettuceCompletion;
import io.stateguard.agent.lettuce.LettuceDispatch;
import io.stateguard.agent.routing.RoutingPolicy;
import io.stateguard.benchmarks.e2e.Workload;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The version guard's whole per-command work on a checked read, on real Lettuce command objects
 * without a network: what {@code LettuceDispatch.onWrite} does when the command is written (key match,
 * key encoding, pending record in the weak identity map) and what {@code LettuceCompletion.onComplete}
 * does with its reply (finding the record, reading the reply, {@code json:/version}, the high-water
 * mark). {@code baseline} builds and completes the same command without the guard; the difference
 * is the guard's cost per checked read. Keys and values are those of the end-to-end workload.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GuardBenchmark {

    private static final int KEYS = 1_000;

    private String[] keys;
    private ByteBuffer[] replies;
    private int next;

    @Setup
    public void setUp() {
        List<Rule> rules = ConfigLoader.load("keys=evolution:state:*;version=json:/version;routing=replica-checked",
                java.util.Map.of(), new Properties()).rules();
        GuardRuntime.install(new VersionGuard(rules, 100_000, KeyPrivacy.FULL), RoutingPolicy.of(rules).matcher());
        keys = new String[KEYS];
        replies = new ByteBuffer[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = Workload.readKey(i);
            replies[i] = ByteBuffer.wrap(Workload.value("r" + i, 1_000 + i).getBytes(StandardCharsets.UTF_8));
        }
        // Both paths run through many classes (Lettuce's and the agent's) that the JIT compiles late: warm them
        // up here, so that the run's short warm-up iterations are enough.
        for (int i = 0; i < 300_000; i++) {
            baseline();
            checkedRead();
        }
    }

    @TearDown
    public void tearDown() {
        GuardRuntime.uninstall();
    }

    private AsyncCommand<String, String, String> command(int i) {
        CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).addKey(keys[i]);
        return new AsyncCommand<>(new Command<>(CommandType.GET, new ValueOutput<>(StringCodec.UTF8), args));
    }

    @Benchmark
    public Object baseline() {
        int i = next++ % KEYS;
        AsyncCommand<String, String, String> command = command(i);
        command.getOutput().set(replies[i].duplicate());
        command.complete();
        return command;
    }

    /** Building the command alone: what {@link #dispatch} adds the dispatch side to. */
    @Benchmark
    public Object build() {
        return command(next++ % KEYS);
    }

    /**
     * The dispatch side alone: the command built and registered with the guard ({@code onWrite}: kind, key
     * match, key bytes, the tracked record, the pending entry), then its record taken back as the completion
     * would. {@code dispatch - build} is the dispatch side's cost; the rest of {@code checkedRead - baseline}
     * is the completion side's (reply read, {@code json:/version}, high-water mark, verdict).
     */
    @Benchmark
    public Object dispatch() {
        AsyncCommand<String, String, String> command = command(next++ % KEYS);
        LettuceDispatch.onWrite(null, command);
        return GuardRuntime.take(command);
    }

    private final WeakIdentityMap<Object> pending = new WeakIdentityMap<>();

    /** The pending-command record alone: a weak identity entry put and removed for a fresh object. */
    @Benchmark
    public Object pendingRecord() {
        Object command = new Object();
        pending.put(command, command);
        return pending.remove(command);
    }

    @Benchmark
    public Object checkedRead() {
        int i = next++ % KEYS;
        AsyncCommand<String, String, String> command = command(i);
        LettuceDispatch.onWrite(null, command);
        command.getOutput().set(replies[i].duplicate());
        if (!LettuceCompletion.onComplete(null, command)) {
            command.complete();
        }
        return command;
    }
}
