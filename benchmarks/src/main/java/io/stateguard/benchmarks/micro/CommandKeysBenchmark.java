package io.stateguard.benchmarks.micro;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.keys.KeyMatcher;
import io.stateguard.agent.lettuce.CommandKeys;
import io.stateguard.agent.routing.RoutingPolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The middle layer of the decision (see {@link DecisionBenchmark}): {@link CommandKeys#firstAcceptedRule} on a real
 * Lettuce {@code CommandArgs} ({@code GET}, {@code StringCodec.UTF8}), for 10 and 1,000 patterns only (the
 * outer layers cover 1 to 1,000), to keep the whole run short.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CommandKeysBenchmark {

    @Param({"10", "1000"})
    public int patterns;

    @Param({"hit", "miss"})
    public String outcome;

    @Param({"16", "200"})
    public int keyLength;

    private KeyMatcher matcher;
    private CommandArgs<String, String> args;
    private boolean[] accepted;

    @Setup
    public void setUp() throws Exception {
        List<Rule> rules = KeySets.rules(patterns);
        matcher = RoutingPolicy.of(rules).matcher();
        accepted = new boolean[rules.size()];
        Arrays.fill(accepted, true);
        args = new CommandArgs<>(StringCodec.UTF8).addKey(KeySets.key(keyLength, outcome.equals("hit")));
        if (commandKeys() != (outcome.equals("hit") ? 0 : KeyMatcher.NO_MATCH)) {
            throw new IllegalStateException("unexpected rule");
        }
    }

    @Benchmark
    public int commandKeys() throws ReflectiveOperationException {
        return CommandKeys.firstAcceptedRule(CommandType.GET, args, matcher, accepted);
    }
}
