package io.stateguard.benchmarks.micro;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ConnectionIntent;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.keys.KeyMatcher;
import io.stateguard.agent.lettuce.CommandKeys;
import io.stateguard.agent.lettuce.LettuceDispatch;
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

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The per-command routing decision, at three depths:
 * <ul>
 *   <li>{@code keyMatcher}: {@link KeyMatcher#match(byte[])} alone (the glob automaton);</li>
 *   <li>{@code commandKeys} ({@link CommandKeysBenchmark}, fewer parameters): {@link CommandKeys#firstAcceptedRule}
 *       on a real Lettuce {@code CommandArgs} built by {@code GET} with {@code StringCodec.UTF8}: finding the key
 *       argument, the codec, matching the {@code String} key as UTF-8 and the rule lookup;</li>
 *   <li>{@code decision}: what the agent's advice does per read command: {@link LettuceDispatch#onWrite} (writer
 *       advice), {@link LettuceDispatch#routeIntent} on {@code ConnectionIntent.READ} (provider advice: intent
 *       lookup, thread-local, {@code CommandKeys}, {@link RoutingPolicy}, routed counter) and
 *       {@link LettuceDispatch#onWriteExit}.</li>
 * </ul>
 * For 1 to 1,000 patterns (see {@link KeySets}), keys of 16 and 200 bytes that match ({@code hit}) or not
 * ({@code miss}); both read the whole key.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DecisionBenchmark {

    @Param({"1", "10", "100", "1000"})
    public int patterns;

    @Param({"hit", "miss"})
    public String outcome;

    @Param({"16", "200"})
    public int keyLength;

    private KeyMatcher matcher;
    private byte[] keyBytes;
    private CommandArgs<String, String> args;
    private Command<String, String, String> command;
    private boolean[] accepted;

    @Setup
    public void setUp() throws Exception {
        List<Rule> rules = KeySets.rules(patterns);
        RoutingPolicy policy = RoutingPolicy.of(rules);
        matcher = policy.matcher();
        accepted = new boolean[rules.size()];
        java.util.Arrays.fill(accepted, true);
        boolean hit = outcome.equals("hit");
        String key = KeySets.key(keyLength, hit);
        keyBytes = key.getBytes(StandardCharsets.UTF_8);
        args = new CommandArgs<>(StringCodec.UTF8).addKey(key);
        command = new Command<>(CommandType.GET, null, args);
        PrimaryRouting.install(policy);

        // The benchmark must measure the intended outcome.
        int expected = hit ? 0 : KeyMatcher.NO_MATCH;
        if (matcher.match(keyBytes) != expected || keyMatcher() != expected
                || CommandKeys.firstAcceptedRule(CommandType.GET, args, matcher, accepted) != expected
                || decision() != (hit ? ConnectionIntent.WRITE : ConnectionIntent.READ)) {
            throw new IllegalStateException("unexpected decision for " + key + " with " + patterns + " patterns");
        }
    }

    @TearDown
    public void tearDown() {
        PrimaryRouting.uninstall();
    }

    @Benchmark
    public int keyMatcher() {
        return matcher.match(keyBytes);
    }

    @Benchmark
    public Object decision() {
        LettuceDispatch.onWrite(null, command);
        try {
            return LettuceDispatch.routeIntent(ConnectionIntent.READ);
        } finally {
            LettuceDispatch.onWriteExit();
        }
    }
}
