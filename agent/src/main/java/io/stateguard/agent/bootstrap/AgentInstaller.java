package io.stateguard.agent.bootstrap;

import io.stateguard.agent.config.ConfigException;
import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.config.StateGuardConfig;
import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.guard.Inconsistencies;
import io.stateguard.agent.guard.LoggingReporter;
import io.stateguard.agent.guard.GuardRuntime;
import io.stateguard.agent.guard.VersionGuard;
import io.stateguard.agent.routing.PrimaryRouting;
import io.stateguard.agent.replication.Endpoint;
import io.stateguard.agent.replication.ReplicationMonitor;
import io.stateguard.agent.internal.Clocks;
import io.stateguard.agent.routing.RoutingStats;
import io.stateguard.agent.telemetry.AgentCounters;
import io.stateguard.agent.versions.VersionFailure;
import io.stateguard.agent.routing.RoutingPolicy;
import io.stateguard.agent.telemetry.Telemetry;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;


/**
 * Reads the configuration and installs the instrumentation. Loaded with the agent jar by the system class
 * loader ({@link StateGuardAgent}), so exactly one instance of its state exists per JVM; a second load of
 * the agent is refused.
 */
public final class AgentInstaller {

    /**
     * Set once the agent is active in this JVM: its version. Not below {@code stateguard.}, where
     * every system property is read as a setting.
     */
    public static final String VERSION_PROPERTY = "io.stateguard.agent.version";

    /** How the last start of the agent in this JVM ended: {@code active; ...} or {@code disabled: <why>}. */
    public static final String STATUS_PROPERTY = "io.stateguard.agent.status";

    /** Set when an {@code attach} command activated the agent: the id that command passed. */
    public static final String ATTACH_ID_PROPERTY = "io.stateguard.agent.attach-id";

    private static final AtomicBoolean INSTALLED = new AtomicBoolean();


    private AgentInstaller() {
    }

    /**
     * Starts the agent. Never throws into the JVM's start-up, except that with
     * {@code stateguard.fail-fast=true} an invalid configuration exits the JVM (at start-up) or
     * fails the attach (when attached) with an {@link IllegalStateException}.
     *
     * <p>The outcome is published in the system properties {@link #STATUS_PROPERTY} and, once the
     * agent is active, {@link #VERSION_PROPERTY}: the {@code attach} command reads them through the
     * Attach API to refuse a second load and to report the result, and {@link #ATTACH_ID_PROPERTY}
     * ({@code attachId}, from the command that attached it) to tell which of two concurrent attaches took
     * effect. An agent that did not activate (invalid configuration, disabled, no rules) can be attached again
     * with other settings.
     */
    public static void install(String agentArgs, Instrumentation instrumentation, boolean attached,
            String version, String attachId) {
        if (!INSTALLED.compareAndSet(false, true)) {
            AgentLog.warn("StateGuard " + version + " is already installed in this JVM; the second load is ignored");
            return;
        }
        long start = System.nanoTime();
        StateGuardConfig config;
        try {
            config = ConfigLoader.load(agentArgs);
        } catch (ConfigException e) {
            boolean failFast = ConfigLoader.failFastRequested(agentArgs);
            AgentLog.error("invalid configuration: " + e.getMessage() + "; StateGuard is disabled"
                    + (failFast ? " and stateguard.fail-fast=true stops the JVM" : ", the application runs without it"));
            notActive("disabled: invalid configuration: " + e.getMessage());
            if (failFast) {
                if (attached) {
                    throw new IllegalStateException("StateGuard: invalid configuration: " + e.getMessage());
                }
                System.exit(1);
            }
            return;
        }
        AgentLog.setThreshold(config.logLevel());
        for (String warning : config.warnings()) {
            AgentLog.warn(warning);
        }
        if (!config.enabled()) {
            AgentLog.info("StateGuard " + version + " is disabled (stateguard.enabled=false)");
            notActive("disabled: stateguard.enabled=false");
            return;
        }
        if (config.rules().isEmpty()) {
            AgentLog.warn("StateGuard " + version + " has no state-key rules (set stateguard.keys or"
                    + " stateguard.rule.<name>.keys); it instruments nothing");
            notActive("disabled: no state-key rules (set stateguard.keys or stateguard.rule.<name>.keys)");
            return;
        }
        final String summary;
        try {
            RoutingPolicy policy = RoutingPolicy.of(config.rules());
            installTelemetry(config, policy, version);
            PrimaryRouting.install(policy);
            if (config.watchesReplicas()) {
                ReplicationMonitor.install(new ReplicationMonitor(config.replicationPollNanos(), FAILOVERS,
                        Clocks.SYSTEM_NANOS));
            }
            // Replies are seen (CommandHandler.complete) to check versions and to time causal writes' acknowledgements.
            boolean seesReplies = config.checksVersions() || policy.remembersWrites();
            if (config.checksVersions()) {
                GuardRuntime.install(new VersionGuard(config.rules(), config.maxTrackedKeys(), config.telemetryKeys()), policy.matcher());
            }
            summary = "rules: " + describe(config.rules());
            if (attached) {
                // The application's client classes are loaded already: they are retransformed now.
                ClientInstrumentation.installOn(instrumentation, seesReplies, config.checksVersions());
            } else {
                ClientInstrumentation.install(instrumentation, seesReplies, config.checksVersions());
            }
        } catch (Throwable t) {
            failed(t);
            return;
        }
        if (attachId != null) {
            setProperty(ATTACH_ID_PROPERTY, attachId);
        }
        setProperty(VERSION_PROPERTY, version);
        if (attached) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            String instrumented = ClientInstrumentation.instrumented().isEmpty() ? NOT_YET
                    : "; instrumented: " + String.join(", ", ClientInstrumentation.instrumented());
            activeStatus = "active (attached); " + summary;
            setProperty(STATUS_PROPERTY, "active (attached); " + summary + instrumented);
            AgentLog.info("StateGuard " + version + " started in " + millis + " ms (attached); " + summary
                    + instrumented);
        } else {
            long millis = (System.nanoTime() - start) / 1_000_000;
            activeStatus = "active; " + summary;
            setProperty(STATUS_PROPERTY, "active; " + summary + NOT_YET);
            AgentLog.info("StateGuard " + version + " started in " + millis + " ms; " + summary + NOT_YET);
        }
    }

    private static final String NOT_YET = "; instrumented: none yet (Lettuce and Redisson classes are instrumented when they load)";

    private static void failed(Throwable t) {
        PrimaryRouting.uninstall();
        GuardRuntime.uninstall();
        ReplicationMonitor.uninstall();
        InternalErrors.record("install", t);
        AgentLog.error("could not install the instrumentation; StateGuard is disabled, the application runs"
                + " without it", t);
        // Not reset: a transformer may have been registered before the failure.
        setProperty(STATUS_PROPERTY, "disabled: could not install the instrumentation (" + t + ")");
    }

    /**
     * Inconsistencies are always logged (rate-limited), and also become spans once telemetry finds a
     * backend. Nothing of OpenTelemetry is looked up here: see {@link Telemetry}.
     */
    private static void installTelemetry(StateGuardConfig config, RoutingPolicy policy, String version) {
        try {
            List<String> ruleNames = new ArrayList<>();
            for (Rule rule : policy.rules()) {
                ruleNames.add(rule.name());
            }
            Telemetry.install(config.telemetryKeys(), ruleNames, version,
                    Telemetry.exporterConfigured(System.getenv(), System.getProperties()));
            Telemetry.counters(COUNTERS);
            Inconsistencies.setReporters(new LoggingReporter(10, config.telemetryKeys()), Telemetry.reporter());
        } catch (Throwable t) {
            // Telemetry is an extra: without it, routing and the guard still work, and events are logged.
            InternalErrors.record("telemetry.install", t);
            Inconsistencies.setReporter(new LoggingReporter(10, config.telemetryKeys()));
        }
    }

    /** Routing's and the guard's counters, as telemetry publishes them. */
    private static final AgentCounters COUNTERS = new AgentCounters() {
        @Override
        public long routedToPrimary(int rule) {
            RoutingStats stats = PrimaryRouting.stats();
            return rule < stats.rules() ? stats.routed(rule) : 0;
        }

        @Override
        public long checkedOnReplica(int rule) {
            RoutingStats stats = PrimaryRouting.stats();
            return rule < stats.rules() ? stats.checked(rule) : 0;
        }

        @Override
        public long trackedKeys() {
            GuardRuntime guard = GuardRuntime.current();
            return guard == null ? 0 : guard.versionGuard().marks().size();
        }

        @Override
        public long marksReset(boolean absentOnPrimary) {
            GuardRuntime guard = GuardRuntime.current();
            return guard == null ? 0 : guard.versionGuard().marksReset(absentOnPrimary);
        }

        @Override
        public void unreadableVersions(Unreadable recorder) {
            GuardRuntime guard = GuardRuntime.current();
            if (guard != null) {
                for (VersionFailure reason : VersionFailure.values()) {
                    long count = guard.versionGuard().unchecked(reason);
                    if (count > 0) {
                        recorder.count(reason.label(), count);
                    }
                }
            }
        }

        @Override
        public long failovers() {
            ReplicationMonitor monitor = ReplicationMonitor.current();
            return monitor == null ? 0 : monitor.failovers();
        }

        @Override
        public void replicaLags(final ReplicaLags recorder) {
            ReplicationMonitor monitor = ReplicationMonitor.current();
            if (monitor != null) {
                monitor.lags(new ReplicationMonitor.LagSink() {
                    @Override
                    public void lag(Endpoint replica, long lagNanos, long lagBytes) {
                        recorder.lag(replica.host(), replica.port(), lagNanos, lagBytes);
                    }
                });
            }
        }
    };

    /** Failovers the replication monitor proves become {@code stateguard.failover} spans. */
    private static final ReplicationMonitor.Listener FAILOVERS = new ReplicationMonitor.Listener() {
        @Override
        public void failover(String topology, Endpoint primary, String previousId, String currentId) {
            Telemetry.reportFailover(topology, primary.host(), primary.port(), previousId, currentId);
        }
    };

    /** The status of the active agent without the instrumented classes; {@code null} until it is active. */
    private static volatile String activeStatus;

    /**
     * Keeps {@link #STATUS_PROPERTY} current as Lettuce classes are instrumented after the start, so that an
     * operator's {@code jcmd <pid> VM.system_properties} shows what is instrumented now.
     */
    static void instrumentedClassesChanged(List<String> instrumented) {
        String status = activeStatus;
        if (status != null && !instrumented.isEmpty()) {
            setProperty(STATUS_PROPERTY, status + "; instrumented: " + String.join(", ", instrumented));
        }
    }

    /** The agent did not activate: a later load (an attach with other settings) may try again. */
    private static void notActive(String status) {
        setProperty(STATUS_PROPERTY, status);
        INSTALLED.set(false);
    }

    private static void setProperty(String name, String value) {
        try {
            System.setProperty(name, value);
        } catch (RuntimeException e) {
            // a security manager may forbid it; the attach command then cannot tell, nothing else changes
        }
    }

    private static String describe(List<Rule> rules) {
        StringBuilder text = new StringBuilder();
        for (Rule rule : rules) {
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(rule);
        }
        return text.toString();
    }

}
