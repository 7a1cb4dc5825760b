package io.stateguard.agent.config;

import io.stateguard.agent.keys.GlobPattern;
import io.stateguard.agent.versions.VersionSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A state-key rule: which keys it covers and what the agent does with reads of them. Immutable.
 */
public final class Rule {

    /** Name of the rule configured by the top-level {@code stateguard.keys} setting. */
    public static final String DEFAULT_NAME = "default";

    private final String name;

    private final List<GlobPattern> patterns;

    private final RoutingMode routing;

    private final VersionSpec version;

    private final OnRegression onRegression;

    private final long maxReplicaLagNanos;

    /** The default of {@code stateguard.max-replica-lag}: one second. */
    public static final long DEFAULT_MAX_REPLICA_LAG_NANOS = 1_000_000_000L;

    public Rule(String name, List<GlobPattern> patterns, RoutingMode routing) {
        this(name, patterns, routing, VersionSpec.none(), OnRegression.REREAD_PRIMARY);
    }

    public Rule(String name, List<GlobPattern> patterns, RoutingMode routing, VersionSpec version,
            OnRegression onRegression) {
        this(name, patterns, routing, version, onRegression, DEFAULT_MAX_REPLICA_LAG_NANOS);
    }

    /**
     * @param maxReplicaLagNanos for {@code causal} and {@code replica-checked} rules: replicas lagging more are
     *     not read from ({@code stateguard.max-replica-lag})
     */
    public Rule(String name, List<GlobPattern> patterns, RoutingMode routing, VersionSpec version,
            OnRegression onRegression, long maxReplicaLagNanos) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("rule name must not be empty");
        }
        if (patterns == null || patterns.isEmpty()) {
            throw new IllegalArgumentException("rule " + name + " needs at least one key pattern");
        }
        if (routing == null) {
            throw new IllegalArgumentException("rule " + name + " needs a routing mode");
        }
        this.name = name;
        this.patterns = Collections.unmodifiableList(new ArrayList<>(patterns));
        this.routing = routing;
        this.version = version == null ? VersionSpec.none() : version;
        this.onRegression = onRegression == null ? OnRegression.REREAD_PRIMARY : onRegression;
        if (maxReplicaLagNanos < 0) {
            throw new IllegalArgumentException("rule " + name + ": max-replica-lag must not be negative");
        }
        this.maxReplicaLagNanos = maxReplicaLagNanos;
    }

    /** The rule's name: {@value #DEFAULT_NAME} or the {@code <name>} of {@code stateguard.rule.<name>.*}. */
    public String name() {
        return name;
    }

    /** The key patterns, in configuration order. */
    public List<GlobPattern> patterns() {
        return patterns;
    }

    public RoutingMode routing() {
        return routing;
    }

    /** Where the version of a value is found; {@code none} disables version checks for the rule. */
    public VersionSpec version() {
        return version;
    }

    /** Whether replies of this rule's keys are checked against high-water marks. */
    public boolean checksVersions() {
        return version.kind() != VersionSpec.Kind.NONE;
    }

    public OnRegression onRegression() {
        return onRegression;
    }

    /** {@code max-replica-lag}, in nanoseconds: for {@code causal} and {@code replica-checked} rules. */
    public long maxReplicaLagNanos() {
        return maxReplicaLagNanos;
    }

    /** Whether reads of this rule's keys depend on what the replication monitor knows about replicas. */
    public boolean watchesReplicas() {
        return routing == RoutingMode.CAUSAL || routing == RoutingMode.REPLICA_CHECKED;
    }

    /** A duration as configuration writes it: whole seconds as {@code 1s}, anything else in milliseconds. */
    static String durationText(long nanos) {
        return nanos % 1_000_000_000L == 0 ? nanos / 1_000_000_000L + "s" : nanos / 1_000_000L + "ms";
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(name).append("{keys=");
        for (int i = 0; i < patterns.size(); i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(patterns.get(i).glob());
        }
        text.append(", routing=").append(routing.configValue());
        if (watchesReplicas()) {
            text.append(", max-replica-lag=").append(durationText(maxReplicaLagNanos));
        }
        if (checksVersions()) {
            text.append(", version=").append(version).append(", on-regression=").append(onRegression.configValue());
        }
        return text.append('}').toString();
    }
}
