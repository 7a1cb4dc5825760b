package io.stateguard.agent.guard;

import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.AgentLogCapture;
import io.stateguard.agent.telemetry.KeyPrivacy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LoggingReporterTest {

    private static Inconsistency event(int i) {
        return new Inconsistency("state", 0, ("k:" + i).getBytes(StandardCharsets.UTF_8), "GET",
                InconsistencyType.VERSION_REGRESSION, GuardAction.REREAD_PRIMARY, 7, true, 6, "127.0.0.1", 6380, false);
    }

    @Test
    void oneStructuredLinePerEventUpToTheRateLimit() {
        List<String> lines = AgentLogCapture.capture(() -> {
            LoggingReporter reporter = new LoggingReporter(3);
            for (int i = 0; i < 10; i++) {
                reporter.report(event(i));
            }
        });
        assertThat(lines).hasSizeBetween(3, 6); // a window boundary may fall inside the loop
        assertThat(lines.get(0)).isEqualTo("[stateguard] WARN inconsistency type=version_regression"
                + " action=reread_primary rule=state db=0 key=k:0 op=GET expected=7 observed=6"
                + " node=127.0.0.1:6380 role=replica");
    }

    @Test
    void theLineFollowsTheTelemetryKeyPrivacy() {
        Inconsistency event = event(1);
        assertThat(event.describe(KeyPrivacy.HASHED)).contains(" key=" + KeyPrivacy.hash("k:1".getBytes(StandardCharsets.UTF_8)))
                .doesNotContain("k:1");
        assertThat(event.describe(KeyPrivacy.NONE)).doesNotContain("key=").doesNotContain("k:1")
                .contains("rule=state db=0 op=GET");
        List<String> lines = AgentLogCapture.capture(() -> new LoggingReporter(3, KeyPrivacy.NONE).report(event));
        assertThat(lines).singleElement().asString().doesNotContain("k:1");
    }

    @Test
    void binaryKeysArePrintable() {
        Inconsistency binary = new Inconsistency("r", 0, new byte[] {'a', (byte) 0xff, 'b'}, "GET",
                InconsistencyType.MISSING, GuardAction.REPORTED, 1, false, 0, null, -1, true);
        assertThat(binary.keyText()).isEqualTo("a\\xffb");
        assertThat(binary.toString()).contains("observed=missing").contains("node=unknown").contains("role=primary");
        assertThat(AgentLog.threshold()).isNotNull();
    }
}
