package io.stateguard.it.redisson;

import io.stateguard.it.probe.LoadClassesProbe;
import io.stateguard.it.support.ForkedJvm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redisson the agent does not instrument gets one warning naming it and its jar, so that nobody believes
 * its reads are routed; a supported one is applied silently (one INFO line) and is not named as uninstrumented.
 */
class UnsupportedRedissonEndToEndTest {

    @Test
    void redissonBeforeTheSupportedRangeIsNamedOnceAsLeftUnchanged() throws Exception {
        ForkedJvm.Result result = ForkedJvm.create().redissonVersion("3.16.7").withAgent("keys=gw:state:*")
                .run(LoadClassesProbe.class.getName(), "org.redisson.Redisson", "org.redisson.command.CommandAsyncService",
                        "org.redisson.command.CommandBatchService")
                .assertSuccess();
        assertThat(result.values("probe.").get("Redisson")).as(result.describe("loads Redisson 3.16.7"))
                .contains("redisson-3.16.7.jar");
        assertThat(warnings(result.stderr())).as(result.describe("one warning naming the unsupported Redisson"))
                .singleElement().asString()
                .isEqualTo("[stateguard] WARN Redisson from redisson-3.16.7.jar is not a supported version (3.16.8 and"
                        + " later are); StateGuard leaves it unchanged");
        assertThat(result.stderr()).doesNotContain("instrumented org.redisson");
    }

    /** Routing alone: the reply path ({@code CommandDecoder}, {@code RedisExecutor}) is left as it is. */
    @Test
    void aSupportedRedissonIsAppliedWithoutWarning() throws Exception {
        ForkedJvm.Result result = ForkedJvm.create().withAgent("keys=gw:state:*")
                .run(LoadClassesProbe.class.getName(), "org.redisson.Redisson", "org.redisson.command.CommandAsyncService",
                        "org.redisson.client.handler.CommandDecoder", "org.redisson.command.RedisExecutor")
                .assertSuccess();
        assertThat(result.stderr()).as(result.describe("applies the module"))
                .contains("[stateguard] INFO Redisson from redisson-4.0.0.jar: applying redisson-3.16.8+")
                .contains("[stateguard] INFO instrumented org.redisson.command.CommandAsyncService")
                .doesNotContain("instrumented org.redisson.client.handler.CommandDecoder")
                .doesNotContain("instrumented org.redisson.command.RedisExecutor");
        assertThat(warnings(result.stderr())).as(result.describe("no warning")).isEmpty();
    }

    /**
     * With version rules, Redisson's replies are read ({@code CommandDecoder}) and judged ({@code RedisExecutor});
     * replica-checked rules get the replication monitor's view as for Lettuce: nothing to warn about.
     */
    @Test
    void versionRulesInstrumentRedissonsReplyPathWithoutWarning() throws Exception {
        ForkedJvm.Result result = ForkedJvm.create()
                .withAgent("keys=gw:state:*;rule.state.keys=gw:versioned:*;rule.state.version=json:/version;"
                        + "rule.state.routing=replica-checked")
                .run(LoadClassesProbe.class.getName(), "org.redisson.Redisson", "org.redisson.command.CommandAsyncService",
                        "org.redisson.command.CommandBatchService", "org.redisson.client.handler.CommandDecoder",
                        "org.redisson.command.RedisExecutor")
                .assertSuccess();
        assertThat(result.stderr()).as(result.describe("the reply path is instrumented"))
                .contains("[stateguard] INFO instrumented org.redisson.client.handler.CommandDecoder")
                .contains("[stateguard] INFO instrumented org.redisson.command.RedisExecutor");
        assertThat(warnings(result.stderr())).as(result.describe("no warning")).isEmpty();
    }

    /** A causal rule alone: completions are seen (to time write acknowledgements), replies are not read. */
    @Test
    void causalRulesInstrumentCompletionsOnly() throws Exception {
        ForkedJvm.Result result = ForkedJvm.create().withAgent("keys=gw:state:*;routing=causal")
                .run(LoadClassesProbe.class.getName(), "org.redisson.Redisson", "org.redisson.command.CommandAsyncService",
                        "org.redisson.client.handler.CommandDecoder", "org.redisson.command.RedisExecutor")
                .assertSuccess();
        assertThat(result.stderr()).as(result.describe("completions are seen, replies are not read"))
                .contains("[stateguard] INFO instrumented org.redisson.command.RedisExecutor")
                .doesNotContain("instrumented org.redisson.client.handler.CommandDecoder");
        assertThat(warnings(result.stderr())).as(result.describe("no warning")).isEmpty();
    }

    private static List<String> warnings(String stderr) {
        return stderr.lines().filter(line -> line.startsWith("[stateguard] WARN")).collect(Collectors.toList());
    }
}
