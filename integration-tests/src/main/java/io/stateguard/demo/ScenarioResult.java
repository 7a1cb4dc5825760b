package io.stateguard.demo;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One gateway run of a {@link GatewayScenario}: the poller's verdicts and what the gateway process left.
 *
 * @param label          e.g. {@code without agent}
 * @param withAgent      whether the gateway ran with {@code -javaagent}
 * @param report         the poller's report
 * @param agentLog       the agent's {@code [stateguard]} lines
 * @param webhookEvents  {@code connection.update} events the client received
 * @param exitCode       the gateway's exit code after SIGTERM
 * @param stoppedCleanly whether the gateway reported a clean shutdown
 * @param gatewayStderr  the gateway's standard error, for diagnostics
 */
public record ScenarioResult(String label, boolean withAgent, PollReport report, List<String> agentLog,
        int webhookEvents, int exitCode, boolean stoppedCleanly, String gatewayStderr) {

    /** Agent log lines of the version guard's reporting: one per inconsistency it detected. */
    private static final Pattern INCONSISTENCY = Pattern.compile("\\[stateguard\\] warn inconsistency ");

    public ScenarioResult {
        agentLog = List.copyOf(agentLog);
    }

    /** @return agent lines reporting inconsistent reads; empty without the agent */
    public List<String> inconsistencyReports() {
        return agentLog.stream().filter(line -> INCONSISTENCY.matcher(line.toLowerCase(Locale.ROOT)).find()).toList();
    }

    /** @return a one-line summary */
    public String summary() {
        return label + ": " + report.summary() + "; " + webhookEvents + " webhook events; gateway exit " + exitCode
                + (stoppedCleanly ? " (clean)" : " (NOT clean)");
    }
}
