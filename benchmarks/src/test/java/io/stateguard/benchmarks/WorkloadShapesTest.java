package io.stateguard.benchmarks;

import io.stateguard.agent.keys.KeyMatcher;
import io.stateguard.agent.routing.RoutingPolicy;
import io.stateguard.agent.versions.VersionReading;
import io.stateguard.agent.versions.VersionSpec;
import io.stateguard.benchmarks.micro.KeySets;
import io.stateguard.benchmarks.micro.VersionExtractionBenchmark;
import io.stateguard.benchmarks.replication.ReplicationPhase;
import io.stateguard.benchmarks.replication.StatusPollClient;
import io.stateguard.agent.config.RoutingMode;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.keys.GlobPattern;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Tiny checks that the benchmarks measure what they claim (runs in milliseconds; no benchmark runs here). */
class WorkloadShapesTest {

    @Test
    void hitAndMissKeysHaveTheirLengthAndOutcome() {
        KeyMatcher matcher = RoutingPolicy.of(KeySets.rules(100)).matcher();
        for (int length : new int[] {16, 200}) {
            byte[] hit = KeySets.key(length, true).getBytes(StandardCharsets.UTF_8);
            byte[] miss = KeySets.key(length, false).getBytes(StandardCharsets.UTF_8);
            assertThat(hit).hasSize(length);
            assertThat(miss).hasSize(length);
            assertThat(matcher.match(hit)).isEqualTo(0);
            assertThat(matcher.match(miss)).isEqualTo(KeyMatcher.NO_MATCH);
        }
    }

    @Test
    void documentsHaveTheirSizeAndVersion() {
        VersionSpec spec = VersionSpec.parse("json:/version");
        VersionReading reading = new VersionReading();
        for (int size : new int[] {200, 65536}) {
            for (boolean first : new boolean[] {true, false}) {
                byte[] doc = VersionExtractionBenchmark.document(size, first, 42);
                assertThat(doc).hasSize(size);
                assertThat(spec.extract(ByteBuffer.wrap(doc), reading)).isTrue();
                assertThat(reading.version()).isEqualTo(42);
            }
        }
    }

    @Test
    void statusValuesCarryTheirVersionForTheClientAndTheGuard() {
        VersionSpec spec = VersionSpec.parse("json:/v");
        VersionReading reading = new VersionReading();
        String value = StatusPollClient.value(1_764_560_000_000_123L);
        assertThat(StatusPollClient.version(value)).isEqualTo(1_764_560_000_000_123L);
        assertThat(spec.extract(ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)), reading)).isTrue();
        assertThat(reading.version()).isEqualTo(1_764_560_000_000_123L);
        assertThat(StatusPollClient.version(null)).isEqualTo(-1);
        assertThat(StatusPollClient.version("{\"x\":1}")).isEqualTo(-1);
    }

    @Test
    void statusKeysMatchThePhasesRules() {
        KeyMatcher matcher = RoutingPolicy.of(List.of(new Rule(Rule.DEFAULT_NAME,
                List.of(GlobPattern.compile(ReplicationPhase.KEYS)), RoutingMode.CAUSAL))).matcher();
        assertThat(matcher.match(StatusPollClient.key(0).getBytes(StandardCharsets.UTF_8))).isEqualTo(0);
        assertThat(matcher.match(StatusPollClient.key(299).getBytes(StandardCharsets.UTF_8))).isEqualTo(0);
    }

    @Test
    void medianAndSpread() {
        assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(Stats.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
        assertThat(Stats.spread(List.of(0.99, 1.01, 1.0), 2)).isEqualTo("1.00 (0.99–1.01)");
        assertThat(Stats.spreadPercent(List.of(0.998, 0.997, 0.999), 1)).isEqualTo("99.8% (99.7–99.9%)");
    }
}
