package io.stateguard.it.versions;

import io.stateguard.it.probe.LoadClassesProbe;
import io.stateguard.it.support.ForkedJvm;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redis client the agent does not instrument gets one warning naming it and its jar, so that nobody
 * believes reads through it are protected; the application is left as it is.
 */
class UninstrumentedClientEndToEndTest {

    @Test
    void jedisOnTheClassPathIsNamedOnceAsNotInstrumented() throws Exception {
        ForkedJvm.Result result = ForkedJvm.create().withAgent("keys=gw:state:*")
                .run(LoadClassesProbe.class.getName(), "redis.clients.jedis.Jedis", "redis.clients.jedis.UnifiedJedis",
                        "io.lettuce.core.RedisClient")
                .assertSuccess();
        assertThat(result.values("probe.").get("Jedis")).as(result.describe("loads Jedis")).contains("jedis-7.4.1.jar");
        assertThat(warnings(result)).as(result.describe("must warn once for Jedis (two marker classes loaded)"))
                .singleElement().asString()
                .isEqualTo("[stateguard] WARN StateGuard does not instrument Jedis (from jedis-7.4.1.jar): reads"
                        + " through it keep Jedis's own routing and are neither routed by state-key rules nor"
                        + " checked; StateGuard instruments Lettuce 5.1 to 5.3, 6.x and 7.x, and Redisson 3.16.8 and later");
    }

    /** Attached to a running application that has loaded Jedis already: the same one warning, in its log. */
    @Test
    void attachingToAnApplicationWithJedisLoadedSaysSo() throws Exception {
        try (ForkedJvm.Running app = ForkedJvm.create().start(LoadClassesProbe.class.getName(), "--wait",
                "redis.clients.jedis.Jedis")) {
            app.awaitLine(line -> line.equals("probe.ready"), Duration.ofSeconds(30));
            ForkedJvm.Result attach = ForkedJvm.create().runJar(ForkedJvm.agentJar(), "attach",
                    String.valueOf(app.pid()), "keys=gw:state:*");
            assertThat(attach.exitCode()).as(attach.describe("attach must succeed")).isZero();
            // The attach returns when the agent's agentmain has: its warning is in the application's log now.
            assertThat(warnings(app.stderr())).as(app.describe("one warning")).singleElement().asString()
                    .startsWith("[stateguard] WARN StateGuard does not instrument Jedis (from jedis-7.4.1.jar)");
        }
    }

    @Test
    void withoutAnotherClientNothingIsSaid() throws Exception {
        ForkedJvm.Result result = ForkedJvm.create().withAgent("keys=gw:state:*")
                .run(LoadClassesProbe.class.getName(), "io.lettuce.core.RedisClient").assertSuccess();
        assertThat(warnings(result)).as(result.describe("no warning")).isEmpty();
    }

    private static List<String> warnings(ForkedJvm.Result result) {
        return warnings(result.stderr());
    }

    private static List<String> warnings(String stderr) {
        return stderr.lines().filter(line -> line.startsWith("[stateguard] WARN")).collect(Collectors.toList());
    }
}
