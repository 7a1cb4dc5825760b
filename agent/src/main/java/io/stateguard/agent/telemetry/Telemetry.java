package io.stateguard.agent.telemetry;

import io.stateguard.agent.keys.KeyPrivacy;
import io.stateguard.agent.guard.Inconsistencies;
import io.stateguard.agent.guard.Inconsistency;
import io.stateguard.agent.guard.InconsistencyType;
import io.stateguard.agent.guard.InconsistencyReporter;
import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.Clocks;
import io.stateguard.agent.internal.InternalErrors;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * OpenTelemetry spans and metrics of the agent, into the tracing backend the application already
 * uses.
 *
 * <p><b>Where telemetry goes</b>, decided lazily, never in {@code premain} (so the order of
 * {@code -javaagent} flags does not matter, and no SDK or {@code GlobalOpenTelemetry} is touched
 * before the application's own start-up): on the first context capture, report or routed read,
 * <ol>
 *   <li>the OpenTelemetry Java agent's API (shaded, on the bootstrap class path), when its
 *       {@code GlobalOpenTelemetry} is set: spans join its traces and leave through its exporters;</li>
 *   <li>the application's own {@code io.opentelemetry.api.GlobalOpenTelemetry}, in the class loader
 *       of its Lettuce, only once the application has set it;</li>
 *   <li>the embedded SDK ({@link EmbeddedSdk}), only when an exporter is configured with the standard
 *       {@code otel.*}/{@code OTEL_*} settings; otherwise nothing, not even a connection attempt.</li>
 * </ol>
 * While only the embedded SDK (or nothing) is available the lookup is repeated at most once a
 * second, so an application that registers its SDK later is picked up then.
 *
 * <p><b>Class loaders.</b> The application's class loader (that of its Lettuce) is held weakly, and so
 * is the application's backend: it is kept alive only by a {@link ClassValue} entry of the
 * application's own OpenTelemetry API class, so a discarded deployment (an undeployed web
 * application, a reloaded plug-in) is collected with everything the agent found through it. When
 * commands come from a Lettuce of another class loader (the next deployment), its
 * {@code GlobalOpenTelemetry} is looked for (at most once a second) and replaces the previous
 * deployment's; until it is set, spans go nowhere rather than to the previous deployment's SDK. One
 * application backend is used at a time: that of the class loader whose Lettuce issued the latest
 * command.
 *
 * <p>Everything here fails open: an error is counted by {@link InternalErrors} and the command goes
 * on unchanged. Nothing blocks: the embedded SDK is built on its own daemon thread, and events
 * arriving before it is ready wait in a small bounded queue (beyond it they are dropped and counted).
 */
public final class Telemetry {

    /** Instrumentation scope of the agent's tracer and meter. */
    static final String INSTRUMENTATION_NAME = "io.stateguard.agent";

    /** Name of the span of one inconsistency. */
    public static final String SPAN_NAME = "stateguard.inconsistency";

    /** At most this many inconsistencies wait for the embedded SDK to start; later ones are dropped. */
    static final int MAX_WAITING = 1024;

    private static final Object LOCK = new Object();

    // Package prefixes built at run time: the shade plugin rewrites string constants that start
    // with a relocated package, and these must keep naming the other copies.
    static volatile String agentPrefix = dotted("io", "opentelemetry", "javaagent", "shaded", "io", "opentelemetry");
    static volatile ClassLoader agentLoader = null; // the bootstrap class loader
    static volatile String applicationPrefix = dotted("io", "opentelemetry");
    static volatile long retryNanos = 1_000_000_000L;
    /** The clock of the retry interval ({@link System#nanoTime()}); tests set their own. */
    static volatile LongSupplier nanoClock = Clocks.SYSTEM_NANOS;
    static volatile Callable<Object> embeddedStarter = new Callable<Object>() {
        @Override
        public Object call() {
            return EmbeddedSdk.start();
        }
    };

    private static volatile boolean installed;
    private static volatile KeyPrivacy privacy = KeyPrivacy.FULL;
    private static volatile List<String> ruleNames = Collections.emptyList();
    private static volatile String version = "unknown";
    private static volatile boolean embeddedConfigured;

    private static final WeakReference<ClassLoader> NO_LOADER = new WeakReference<>(null);
    private static final WeakReference<Backend> NO_BACKEND = new WeakReference<>(null);

    /**
     * The application's backends, each kept alive by its own API's {@code Context} class (and so by the
     * application's class loader), never by the agent.
     */
    private static final ClassValue<Backend[]> ANCHORS = new ClassValue<Backend[]>() {
        @Override
        protected Backend[] computeValue(Class<?> type) {
            return new Backend[1];
        }
    };

    /** The OpenTelemetry agent's backend or the embedded one; {@code null} when neither is used. */
    private static volatile Backend backend;
    /** The application's backend, weakly (see {@link #ANCHORS}); used when {@link #backend} is {@code null}. */
    private static volatile WeakReference<Backend> applicationBackend = NO_BACKEND;
    /**
     * Set once the backend is the OpenTelemetry agent's or the application's: no more lookups until
     * commands come from another class loader or the application's backend is collected.
     */
    private static volatile boolean settled;
    private static volatile long nextAttempt;
    private static volatile boolean attempted;
    /** The class loader of the application's Lettuce, weakly: where its API is looked for. */
    private static volatile WeakReference<ClassLoader> applicationLoader = NO_LOADER;

    private static final AtomicInteger EMBEDDED_STATE = new AtomicInteger(); // 0 idle, 1 starting, 2 done
    private static volatile Object embeddedSdk;
    private static final ConcurrentLinkedQueue<Inconsistency> WAITING = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger WAITING_COUNT = new AtomicInteger();
    private static final LongAdder DROPPED = new LongAdder();
    private static final LongAdder SPANS = new LongAdder();

    private static final InconsistencyReporter REPORTER = new InconsistencyReporter() {
        @Override
        public void report(Inconsistency inconsistency) {
            Telemetry.report(inconsistency);
        }
    };

    /** The agent's counters behind the metrics; connected by the bootstrap. */
    private static volatile AgentCounters counters = AgentCounters.NONE;

    private Telemetry() {
    }

    /** Connects the counters the metrics publish (routing's and the guard's). */
    public static void counters(AgentCounters agentCounters) {
        counters = agentCounters;
    }

    /**
     * Activates telemetry. Resolves nothing: see the class comment.
     *
     * @param keys how keys appear in attributes ({@code stateguard.telemetry.keys})
     * @param rules rule names by rule index, for the routed-reads metric
     * @param agentVersion the agent's version, the instrumentation scope's version
     * @param exporterConfigured whether the standard settings configure an exporter (the embedded SDK may start)
     */
    public static void install(KeyPrivacy keys, List<String> rules, String agentVersion, boolean exporterConfigured) {
        privacy = keys;
        ruleNames = Collections.unmodifiableList(new ArrayList<>(rules));
        version = agentVersion;
        embeddedConfigured = exporterConfigured;
        installed = true;
    }

    /**
     * Whether the standard {@code otel.*}/{@code OTEL_*} settings configure an exporter, which is what
     * allows the embedded SDK to start.
     */
    public static boolean exporterConfigured(Map<String, String> environment, java.util.Properties systemProperties) {
        return EmbeddedSdk.exporterConfigured(environment, systemProperties);
    }

    /** The reporter that turns inconsistencies into spans. */
    public static InconsistencyReporter reporter() {
        return REPORTER;
    }

    /** How keys appear in telemetry. */
    public static KeyPrivacy keyPrivacy() {
        return privacy;
    }

    /**
     * The application's current OpenTelemetry context, to become the parent of a span reported later
     * for this command; {@code null} when there is no backend or no current span. Called on the
     * thread that issues the command.
     *
     * @param command the Lettuce command, whose class loader is where the application's API is looked for
     */
    public static Object captureContext(Object command) {
        if (!installed) {
            return null;
        }
        try {
            if (command != null) {
                ClassLoader loader = command.getClass().getClassLoader();
                if (loader != applicationLoader.get()) {
                    applicationLoaderSeen(loader);
                }
            }
            Backend current = settled ? current() : resolve();
            return current == null ? null : current.api.currentContextOrNull();
        } catch (Throwable t) {
            InternalErrors.record("telemetry.context", t);
            return null;
        }
    }

    /** A routed read or other activity: gives the lookup a chance without capturing anything. */
    public static void touch() {
        if (installed && !settled) {
            try {
                if (applicationLoader.get() == null) {
                    ClassLoader loader = Thread.currentThread().getContextClassLoader();
                    if (loader != null) {
                        applicationLoaderSeen(loader);
                    }
                }
                resolve();
            } catch (Throwable t) {
                InternalErrors.record("telemetry.resolve", t);
            }
        }
    }

    /** Creates the span of one inconsistency (or queues it while the embedded SDK starts). */
    public static void report(Inconsistency inconsistency) {
        if (!installed) {
            return;
        }
        try {
            Backend current = settled ? current() : resolve();
            if (current == null) {
                if (EMBEDDED_STATE.get() == 1) {
                    if (WAITING_COUNT.incrementAndGet() <= MAX_WAITING) {
                        WAITING.add(inconsistency);
                        if (EMBEDDED_STATE.get() == 2) {
                            drainWaiting(); // the starter finished meanwhile and may have drained already
                        }
                    } else {
                        WAITING_COUNT.decrementAndGet();
                        DROPPED.increment();
                    }
                }
                return;
            }
            emit(current, inconsistency);
        } catch (Throwable t) {
            InternalErrors.record("telemetry.span", t);
        }
    }

    /**
     * Reports a failover the replication monitor proved, as a {@code stateguard.failover} span (an event: no
     * duration) with the new primary's address and both replication IDs.
     */
    public static void reportFailover(String topology, String host, int port, String previousId, String currentId) {
        if (!installed) {
            return;
        }
        try {
            Backend current = settled ? current() : resolve();
            if (current == null) {
                return;
            }
            List<Object> attributes = new ArrayList<>(14);
            add(attributes, "db.system.name", "redis");
            add(attributes, "server.address", host);
            add(attributes, "server.port", Long.valueOf(port));
            add(attributes, "stateguard.topology", topology);
            add(attributes, "stateguard.replication_id.previous", previousId);
            add(attributes, "stateguard.replication_id.current", currentId);
            long epochNanos = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
            current.api.emitSpan(current.tracer, FAILOVER_SPAN_NAME, null, attributes, false, epochNanos);
            SPANS.increment();
        } catch (Throwable t) {
            InternalErrors.record("telemetry.span", t);
        }
    }

    /** Spans created so far; for tests and diagnostics. */
    static long spans() {
        return SPANS.sum();
    }

    /** Inconsistencies dropped while the embedded SDK was starting. */
    static long dropped() {
        return DROPPED.sum();
    }

    /** Where telemetry goes now, or {@code null} when nowhere (yet). */
    static Backend.Source source() {
        Backend current = current();
        return current == null ? null : current.source;
    }

    /**
     * Where telemetry goes now; {@code null} when nowhere, and when the application's backend was
     * collected with its class loader (then the next call looks again).
     */
    private static Backend current() {
        Backend fixed = backend;
        if (fixed != null) {
            return fixed;
        }
        Backend application = applicationBackend.get();
        if (application == null && settled) {
            settled = false;
        }
        return application;
    }

    /**
     * Commands come from a Lettuce of another class loader (a new deployment): its OpenTelemetry is
     * looked for at the next attempt, unless the OpenTelemetry agent's serves every class loader.
     */
    private static void applicationLoaderSeen(ClassLoader loader) {
        synchronized (LOCK) {
            applicationLoader = new WeakReference<>(loader);
            Backend fixed = backend;
            if (fixed == null || fixed.source != Backend.Source.OPENTELEMETRY_AGENT) {
                settled = false;
            }
        }
    }

    static final String FAILOVER_SPAN_NAME = "stateguard.failover";

    private static void emit(Backend target, Inconsistency inconsistency) throws ReflectiveOperationException {
        target.api.emitSpan(target.tracer, SPAN_NAME, inconsistency.context(), attributes(inconsistency, privacy),
                inconsistency.action() == io.stateguard.agent.guard.GuardAction.FAILED,
                inconsistency.detectedAtEpochNanos());
        SPANS.increment();
    }

    /** The span attributes of {@code inconsistency}, as alternating names and values. */
    static List<Object> attributes(Inconsistency inconsistency, KeyPrivacy keys) {
        List<Object> attributes = new ArrayList<>(30);
        add(attributes, "db.system.name", "redis");
        add(attributes, "db.operation.name", inconsistency.operation());
        add(attributes, "db.namespace", String.valueOf(inconsistency.database()));
        add(attributes, "server.address", inconsistency.serverAddress());
        add(attributes, "server.port", inconsistency.serverPort() < 0 ? null : Long.valueOf(inconsistency.serverPort()));
        add(attributes, "stateguard.inconsistency.type", inconsistency.type().label());
        add(attributes, "stateguard.rule", inconsistency.rule());
        add(attributes, "stateguard.key", keys.attribute(inconsistency.key(), keys == KeyPrivacy.FULL
                ? inconsistency.keyText() : null));
        // A deleted key expects no value: no version to name.
        add(attributes, "stateguard.version.expected", inconsistency.type() == InconsistencyType.DELETED_VALUE ? null
                : Long.valueOf(inconsistency.expectedVersion()));
        add(attributes, "stateguard.version.observed",
                inconsistency.observedPresent() ? Long.valueOf(inconsistency.observedVersion()) : null);
        add(attributes, "stateguard.action", inconsistency.action().label());
        add(attributes, "stateguard.node.role", inconsistency.servedByPrimary() ? "primary" : "replica");
        return attributes;
    }

    private static void add(List<Object> attributes, String name, Object value) {
        if (value != null) {
            attributes.add(name);
            attributes.add(value);
        }
    }

    /**
     * Looks for a better backend, at most once per {@link #retryNanos}; returns the current one. Runs on
     * whichever thread asks, so it only does reflective look-ups: building the embedded SDK is handed
     * to a daemon thread.
     */
    private static Backend resolve() {
        long now = nanoClock.getAsLong();
        if (attempted && now - nextAttempt < 0) {
            return current();
        }
        synchronized (LOCK) {
            if (settled || (attempted && now - nextAttempt < 0)) {
                return current();
            }
            attempted = true;
            nextAttempt = now + retryNanos;
            Backend found = find(Backend.Source.OPENTELEMETRY_AGENT, agentPrefix, agentLoader);
            if (found == null) {
                ClassLoader loader = applicationLoader.get();
                if (loader != null) {
                    found = find(Backend.Source.APPLICATION, applicationPrefix, loader);
                }
            }
            Backend previous = applicationBackend.get();
            if (found == null && previous != null) {
                // The application's class loader now (a new deployment) has no SDK set: not the old one's.
                applicationBackend = NO_BACKEND;
                AgentLog.info("telemetry: the application's GlobalOpenTelemetry is no longer in use");
            }
            if (found != null && previous != null && found.source == Backend.Source.APPLICATION
                    && found.openTelemetry == previous.openTelemetry) {
                settled = true; // the same SDK, seen through another class loader: keep it
                return previous;
            }
            if (found != null) {
                use(found);
                settled = true;
                Object embedded = embeddedSdk;
                if (embedded != null) {
                    // The application's backend replaces ours: flush and stop ours off this thread.
                    embeddedSdk = null;
                    stopLater(embedded);
                }
                return found;
            }
            if (current() == null && embeddedConfigured && EMBEDDED_STATE.compareAndSet(0, 1)) {
                startEmbedded();
            }
            return current();
        }
    }

    private static Backend find(Backend.Source source, String prefix, ClassLoader loader) {
        try {
            Object openTelemetry = OtelApi.globalIfSet(prefix, loader);
            if (openTelemetry == null) {
                return null;
            }
            OtelApi api = OtelApi.load(prefix, loader);
            return api.isOpenTelemetry(openTelemetry) ? new Backend(source, api, openTelemetry, version) : null;
        } catch (ClassNotFoundException e) {
            return null; // that copy of the API is not there
        } catch (Throwable t) {
            InternalErrors.record("telemetry.resolve", t);
            return null;
        }
    }

    private static void use(Backend found) {
        if (found.source == Backend.Source.APPLICATION) {
            ANCHORS.get(found.api.contextClass)[0] = found;
            applicationBackend = new WeakReference<>(found);
            backend = null;
        } else {
            backend = found;
            applicationBackend = NO_BACKEND;
        }
        registerMetrics(found);
        AgentLog.info("telemetry: spans and metrics go to " + found.source.description);
    }

    private static void startEmbedded() {
        Thread starter = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    Object sdk = embeddedStarter.call();
                    Backend embedded = new Backend(Backend.Source.EMBEDDED,
                            OtelApi.load(EmbeddedSdk.apiPrefix(), EmbeddedSdk.class.getClassLoader()), sdk, version);
                    synchronized (LOCK) {
                        if (settled) {
                            EmbeddedSdk.shutdown(sdk);
                        } else {
                            embeddedSdk = sdk;
                            use(embedded);
                        }
                    }
                } catch (Throwable t) {
                    InternalErrors.record("telemetry.embedded", t);
                    AgentLog.warn("telemetry: the embedded OpenTelemetry SDK did not start (" + t
                            + "); inconsistencies are only logged");
                } finally {
                    EMBEDDED_STATE.set(2);
                    drainWaiting();
                }
            }
        }, "stateguard-telemetry-init");
        starter.setDaemon(true);
        starter.start();
        // At exit: let a start still in progress finish (events wait for it), then flush, 6 s at most in
        // all. One hook for both, because shutdown hooks run concurrently in no particular order.
        final Thread started = starter;
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() {
                @Override
                public void run() {
                    try {
                        started.join(3000);
                        Object sdk = embeddedSdk;
                        if (sdk != null) {
                            EmbeddedSdk.shutdown(sdk);
                        }
                    } catch (Throwable t) {
                        // exiting: nothing left to protect
                    }
                }
            }, "stateguard-telemetry-shutdown"));
        } catch (IllegalStateException e) {
            // the JVM is already exiting
        }
    }

    private static void drainWaiting() {
        Inconsistency waiting;
        while ((waiting = WAITING.poll()) != null) {
            WAITING_COUNT.decrementAndGet();
            Backend current = current();
            if (current == null) {
                DROPPED.increment();
                continue;
            }
            try {
                emit(current, waiting);
            } catch (Throwable t) {
                InternalErrors.record("telemetry.span", t);
            }
        }
    }

    private static void stopLater(final Object sdk) {
        Thread stopper = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    EmbeddedSdk.shutdown(sdk);
                } catch (Throwable t) {
                    InternalErrors.record("telemetry.embedded", t);
                }
            }
        }, "stateguard-telemetry-stop");
        stopper.setDaemon(true);
        stopper.start();
    }

    /**
     * Asynchronous instruments whose callbacks read the agent's existing counters when the SDK
     * collects: the command path pays nothing for metrics.
     */
    private static void registerMetrics(Backend target) {
        try {
            OtelApi api = target.api;
            api.observableCounter(target.meter, "stateguard.reads.routed",
                    "Reads of state keys: sent to the primary by the agent (role primary), or left on the application's replica routing and checked (role replica)", new OtelApi.Observer() {
                        @Override
                        public void observe(OtelApi.Recorder recorder) {
                            AgentCounters stats = counters;
                            List<String> names = ruleNames;
                            for (int i = 0; i < names.size(); i++) {
                                recorder.record(stats.routedToPrimary(i), "stateguard.rule", names.get(i),
                                        "stateguard.node.role", "primary");
                                long checked = stats.checkedOnReplica(i);
                                if (checked > 0) {
                                    recorder.record(checked, "stateguard.rule", names.get(i),
                                            "stateguard.node.role", "replica");
                                }
                            }
                        }
                    });
            api.observableCounter(target.meter, "stateguard.inconsistencies",
                    "Inconsistencies detected, by rule, type and action", new OtelApi.Observer() {
                        @Override
                        public void observe(OtelApi.Recorder recorder) {
                            for (Map.Entry<List<String>, Long> entry : Inconsistencies.snapshot().entrySet()) {
                                List<String> key = entry.getKey();
                                recorder.record(entry.getValue(), "stateguard.rule", key.get(0),
                                        "stateguard.inconsistency.type", key.get(1), "stateguard.action",
                                        key.get(2));
                            }
                        }
                    });
            api.observableCounter(target.meter, "stateguard.errors",
                    "Internal errors of the agent (each failed open), by cause", new OtelApi.Observer() {
                        @Override
                        public void observe(OtelApi.Recorder recorder) {
                            for (Map.Entry<String, Long> entry : InternalErrors.snapshot().entrySet()) {
                                recorder.record(entry.getValue(), "stateguard.error.cause", entry.getKey());
                            }
                        }
                    });
            api.observableCounter(target.meter, "stateguard.marks.reset",
                    "Marks that followed the primary's value without proof of lost writes, by cause: the key was nil"
                            + " on the primary (absent_on_primary) or older there (older_on_primary)",
                    new OtelApi.Observer() {
                        @Override
                        public void observe(OtelApi.Recorder recorder) {
                            recorder.record(counters.marksReset(true), "cause", "absent_on_primary");
                            recorder.record(counters.marksReset(false), "cause", "older_on_primary");
                        }
                    });
            api.observableCounter(target.meter, "stateguard.versions.unreadable",
                    "Replies of versioned keys whose version could not be read (not checked), by reason",
                    new OtelApi.Observer() {
                        @Override
                        public void observe(final OtelApi.Recorder recorder) {
                            counters.unreadableVersions(new AgentCounters.Unreadable() {
                                @Override
                                public void count(String reason, long count) {
                                    recorder.record(count, "reason", reason);
                                }
                            });
                        }
                    });
            api.observableCounter(target.meter, "stateguard.failovers",
                    "Failovers proven by the replication monitor: a shard primary's replication ID changed",
                    new OtelApi.Observer() {
                        @Override
                        public void observe(OtelApi.Recorder recorder) {
                            recorder.record(counters.failovers());
                        }
                    });
            api.observableDoubleGauge(target.meter, "stateguard.replica.lag",
                    "Replica lag in time (an upper bound): from the primary's offset timeline to the replica's applied"
                            + " offset", "s", new OtelApi.DoubleObserver() {
                        @Override
                        public void observe(final OtelApi.DoubleRecorder recorder) {
                            counters.replicaLags(new AgentCounters.ReplicaLags() {
                                @Override
                                public void lag(String host, int port, long lagNanos, long lagBytes) {
                                    recorder.record(lagNanos / 1e9, "server.address", host, "server.port",
                                            String.valueOf(port));
                                }
                            });
                        }
                    });
            api.observableGauge(target.meter, "stateguard.replica.lag.bytes",
                    "Replica lag in bytes of replication stream: the primary's offset minus the replica's applied offset",
                    "By", new OtelApi.Observer() {
                        @Override
                        public void observe(final OtelApi.Recorder recorder) {
                            counters.replicaLags(new AgentCounters.ReplicaLags() {
                                @Override
                                public void lag(String host, int port, long lagNanos, long lagBytes) {
                                    recorder.record(lagBytes, "server.address", host, "server.port",
                                            String.valueOf(port));
                                }
                            });
                        }
                    });
            api.observableGauge(target.meter, "stateguard.tracked_keys",
                    "Keys whose high-water mark (newest version seen) is kept", new OtelApi.Observer() {
                        @Override
                        public void observe(OtelApi.Recorder recorder) {
                            recorder.record(counters.trackedKeys());
                        }
                    });
        } catch (Throwable t) {
            InternalErrors.record("telemetry.metrics", t);
        }
    }

    /** Forgets everything; for tests. */
    static void reset() {
        synchronized (LOCK) {
            Object embedded = embeddedSdk;
            embeddedSdk = null;
            if (embedded != null) {
                EmbeddedSdk.shutdown(embedded);
            }
            installed = false;
            backend = null;
            applicationBackend = NO_BACKEND;
            settled = false;
            attempted = false;
            applicationLoader = NO_LOADER;
            EMBEDDED_STATE.set(0);
            WAITING.clear();
            WAITING_COUNT.set(0);
        }
    }

    private static String dotted(String... parts) {
        StringBuilder name = new StringBuilder();
        for (String part : parts) {
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(part);
        }
        return name.toString();
    }
}
