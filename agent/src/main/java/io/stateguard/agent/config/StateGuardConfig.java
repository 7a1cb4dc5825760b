package io.stateguard.agent.config;

import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.keys.KeyPrivacy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The agent's validated configuration. Immutable; built by {@link ConfigLoader}.
 */
public final class StateGuardConfig {

    private final boolean enabled;

    private final boolean failFast;

    private final AgentLog.Level logLevel;

    private final List<Rule> rules;

    private final List<String> warnings;

    private final int maxTrackedKeys;

    private final KeyPrivacy telemetryKeys;

    private final long replicationPollNanos;

    /** The default of {@code stateguard.replication.poll-interval}: 50 ms. */
    public static final long DEFAULT_POLL_NANOS = 50_000_000L;

    StateGuardConfig(boolean enabled, boolean failFast, AgentLog.Level logLevel, List<Rule> rules,
            List<String> warnings, int maxTrackedKeys, KeyPrivacy telemetryKeys, long replicationPollNanos) {
        this.replicationPollNanos = replicationPollNanos;
        this.telemetryKeys = telemetryKeys;
        this.maxTrackedKeys = maxTrackedKeys;
        this.enabled = enabled;
        this.failFast = failFast;
        this.logLevel = logLevel;
        this.rules = Collections.unmodifiableList(new ArrayList<>(rules));
        this.warnings = Collections.unmodifiableList(new ArrayList<>(warnings));
    }

    /** {@code stateguard.enabled}: when false the agent installs nothing. */
    public boolean enabled() {
        return enabled;
    }

    /** {@code stateguard.fail-fast}: exit the JVM on invalid configuration instead of disabling the agent. */
    public boolean failFast() {
        return failFast;
    }

    /** {@code stateguard.log.level}. */
    public AgentLog.Level logLevel() {
        return logLevel;
    }

    /**
     * The rules, in precedence order: the default rule ({@code stateguard.keys}) first, then named
     * rules by name. When a key matches several rules, the first one decides.
     */
    public List<Rule> rules() {
        return rules;
    }

    /** {@code stateguard.max-tracked-keys}: the bound of the high-water-mark table. */
    public int maxTrackedKeys() {
        return maxTrackedKeys;
    }

    /** {@code stateguard.telemetry.keys}: how keys appear in spans, metrics and the inconsistency log line. */
    public KeyPrivacy telemetryKeys() {
        return telemetryKeys;
    }

    /** {@code stateguard.replication.poll-interval}, in nanoseconds. */
    public long replicationPollNanos() {
        return replicationPollNanos;
    }

    /** Whether any rule needs the replication monitor ({@code causal} or {@code replica-checked}). */
    public boolean watchesReplicas() {
        for (Rule rule : rules) {
            if (rule.watchesReplicas()) {
                return true;
            }
        }
        return false;
    }

    /** Whether any rule checks versions. */
    public boolean checksVersions() {
        for (Rule rule : rules) {
            if (rule.checksVersions()) {
                return true;
            }
        }
        return false;
    }

    /** Non-fatal findings, such as unknown settings, one line each. */
    public List<String> warnings() {
        return warnings;
    }
}
