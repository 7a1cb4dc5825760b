package io.stateguard.agent.telemetry;

import io.stateguard.agent.keys.KeyPrivacy;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.guard.GuardAction;
import io.stateguard.agent.guard.Inconsistencies;
import io.stateguard.agent.guard.Inconsistency;
import io.stateguard.agent.guard.InconsistencyType;
import io.stateguard.agent.internal.AgentLogCapture;
import io.stateguard.agent.internal.InternalErrors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The telemetry layer against the real OpenTelemetry SDK (unshaded here: the test stands in for the
 * application, whose API copy the agent reaches reflectively).
 */
class TelemetryTest {

    private static final byte[] KEY = "evolution:state:inst1".getBytes(StandardCharsets.UTF_8);

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private OpenTelemetrySdk sdk;

    @BeforeEach
    void setUp() {
        Telemetry.reset();
        GlobalOpenTelemetry.resetForTest();
        Telemetry.agentPrefix = "no.such.opentelemetry";
        Telemetry.agentLoader = null;
        Telemetry.applicationPrefix = "io.opentelemetry";
        Telemetry.retryNanos = 0;
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
                .build();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        Telemetry.embeddedStarter = EmbeddedSdk::start;
        Telemetry.nanoClock = System::nanoTime;
        Telemetry.retryNanos = 1_000_000_000L;
        awaitThreads("stateguard-telemetry-init");
        Telemetry.reset();
        GlobalOpenTelemetry.resetForTest();
        sdk.close();
    }

    private static Inconsistency event(GuardAction action, Object context) {
        return new Inconsistency("state", 2, KEY, "GET", InconsistencyType.VERSION_REGRESSION, action, 7, true, 6,
                "127.0.0.1", 6380, false, context);
    }

    private void install(KeyPrivacy keys, boolean exporterConfigured) {
        Telemetry.install(keys, List.of("default", "state"), "1.2.3", exporterConfigured);
    }

    @Test
    @SuppressWarnings("try") // the scope only makes the span current
    void theSpanIsAChildOfTheContextCapturedAtDispatchWithEveryAttribute() {
        GlobalOpenTelemetry.set(sdk);
        install(KeyPrivacy.FULL, false);
        Span parent = sdk.getTracer("app").spanBuilder("GET /instance/connectionState").startSpan();
        Object context;
        try (Scope ignored = parent.makeCurrent()) {
            context = Telemetry.captureContext(this);
        } finally {
            parent.end();
        }
        assertThat(Telemetry.source()).isEqualTo(Backend.Source.APPLICATION);
        assertThat(context).isNotNull();

        // detection later, on another thread whose own context must not matter
        Telemetry.report(event(GuardAction.REREAD_PRIMARY, context));

        SpanData span = single(Telemetry.SPAN_NAME);
        assertThat(span.getTraceId()).isEqualTo(parent.getSpanContext().getTraceId());
        assertThat(span.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
        assertThat(span.getInstrumentationScopeInfo().getName()).isEqualTo("io.stateguard.agent");
        assertThat(span.getInstrumentationScopeInfo().getVersion()).isEqualTo("1.2.3");
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        Map<String, Object> attributes = attributes(span);
        assertThat(attributes).containsEntry("db.system.name", "redis")
                .containsEntry("db.operation.name", "GET")
                .containsEntry("db.namespace", "2")
                .containsEntry("server.address", "127.0.0.1")
                .containsEntry("server.port", 6380L)
                .containsEntry("stateguard.inconsistency.type", "version_regression")
                .containsEntry("stateguard.rule", "state")
                .containsEntry("stateguard.key", "evolution:state:inst1")
                .containsEntry("stateguard.version.expected", 7L)
                .containsEntry("stateguard.version.observed", 6L)
                .containsEntry("stateguard.action", "reread_primary")
                .containsEntry("stateguard.node.role", "replica")
                .hasSize(12);
    }

    @Test
    @SuppressWarnings("try") // the scope only makes the span current
    void withoutAContextTheSpanIsARootAndAFailedCommandIsAnError() {
        GlobalOpenTelemetry.set(sdk);
        install(KeyPrivacy.FULL, false);
        assertThat(Telemetry.captureContext(this)).as("no current span: nothing to capture").isNull();
        Span unrelated = sdk.getTracer("netty").spanBuilder("event loop").startSpan();
        try (Scope ignored = unrelated.makeCurrent()) {
            Telemetry.report(new Inconsistency("state", 0, KEY, "GET", InconsistencyType.MISSING, GuardAction.FAILED,
                    7, false, 0, null, -1, false, null));
        } finally {
            unrelated.end();
        }
        SpanData span = single(Telemetry.SPAN_NAME);
        assertThat(span.getParentSpanContext().isValid()).as("never the detecting thread's span").isFalse();
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attributes(span)).doesNotContainKeys("stateguard.version.observed", "server.address", "server.port")
                .containsEntry("stateguard.inconsistency.type", "missing").containsEntry("stateguard.action", "failed");
    }

    @Test
    void hashedAndNoneKeepTheKeyOutOfEveryAttribute() {
        GlobalOpenTelemetry.set(sdk);
        install(KeyPrivacy.HASHED, false);
        Telemetry.captureContext(this);
        Telemetry.report(event(GuardAction.REPORTED, null));
        Telemetry.reset();
        install(KeyPrivacy.NONE, false);
        Telemetry.captureContext(this);
        Telemetry.report(event(GuardAction.REPORTED, null));

        List<SpanData> exported = spans.getFinishedSpanItems();
        assertThat(exported).hasSize(2);
        assertThat(attributes(exported.get(0))).containsEntry("stateguard.key", KeyPrivacy.hash(KEY));
        assertThat(attributes(exported.get(1))).doesNotContainKey("stateguard.key").containsEntry("stateguard.rule", "state");
        for (SpanData span : exported) {
            assertThat(attributes(span).values()).noneMatch(value -> value.toString().contains("inst1"));
        }
    }

    @Test
    void anApplicationSdkIsUsedOnlyOnceSetAndItsOwnSetStillWorks() {
        install(KeyPrivacy.FULL, false);
        assertThat(Telemetry.captureContext(this)).isNull();
        Telemetry.report(event(GuardAction.REPORTED, null));
        assertThat(Telemetry.source()).as("nothing registered, no exporter configured: nowhere").isNull();

        // The agent never called GlobalOpenTelemetry.get(): the application can still register its SDK.
        GlobalOpenTelemetry.set(sdk);
        Telemetry.touch();
        assertThat(Telemetry.source()).isEqualTo(Backend.Source.APPLICATION);
        Telemetry.report(event(GuardAction.REPORTED, null));
        assertThat(spans.getFinishedSpanItems()).hasSize(1);
    }

    @Test
    void aNoopGlobalThatALibraryInstalledByCallingGetDoesNotCount() throws Exception {
        GlobalOpenTelemetry.get(); // no SDK set: the API installs its no-op
        CountDownLatch started = new CountDownLatch(1);
        Telemetry.embeddedStarter = () -> {
            started.countDown();
            return sdk;
        };
        try {
            install(KeyPrivacy.FULL, true);
            Telemetry.captureContext(this);
            awaitThreads("stateguard-telemetry-init");
            assertThat(started.getCount()).as("the embedded SDK starts instead").isZero();
            assertThat(Telemetry.source()).isEqualTo(Backend.Source.EMBEDDED);
        } finally {
            Telemetry.embeddedStarter = EmbeddedSdk::start;
        }
    }

    /**
     * An application deployed twice, each deployment with its own OpenTelemetry API and SDK in a class
     * loader of its own (as a redeployed web application): once commands come from the second, spans go
     * to its SDK and no longer to the first's, and the first deployment's class loader is collected
     * once the application lets go of it.
     */
    @Test
    void aRedeployedApplicationsNewSdkIsFoundAndTheDiscardedOneIsNotPinned() throws Exception {
        install(KeyPrivacy.FULL, false);
        Deployment first = Deployment.start();
        Telemetry.captureContext(first.sdk); // a command of the first deployment's Lettuce
        Telemetry.report(event(GuardAction.REPORTED, null));
        assertThat(Telemetry.source()).isEqualTo(Backend.Source.APPLICATION);
        assertThat(first.spans()).isEqualTo(1);

        Deployment second = Deployment.start();
        Telemetry.captureContext(second.sdk);
        Telemetry.report(event(GuardAction.REPORTED, null));
        assertThat(second.spans()).as("the new deployment's SDK").isEqualTo(1);
        assertThat(first.spans()).as("nothing more to the replaced deployment's SDK").isEqualTo(1);

        first.close(); // undeployed: its SDK is shut down, its class loader closed and dropped
        WeakReference<ClassLoader> firstLoader = new WeakReference<>(first.loader);
        first = null;
        int attempts = 0;
        while (firstLoader.get() != null && attempts < 50) {
            attempts++;
            System.gc();
            Thread.sleep(20);
        }
        assertThat(firstLoader.get()).as("the first deployment's class loader, after %d collections", attempts)
                .isNull();
        Telemetry.report(event(GuardAction.REPORTED, null));
        assertThat(second.spans()).isEqualTo(2);
        second.close();
    }

    /**
     * The OpenTelemetry API and SDK in a class loader of their own, registered as its global, exporting
     * to a span exporter that counts the spans it is given.
     */
    private static final class Deployment {

        final URLClassLoader loader;
        final Object sdk;
        private final AtomicInteger exported;

        private Deployment(URLClassLoader loader, Object sdk, AtomicInteger exported) {
            this.loader = loader;
            this.sdk = sdk;
            this.exported = exported;
        }

        static Deployment start() throws Exception {
            List<URL> jars = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                String path = entry.replace('\\', '/');
                // not the testing jar: its context storage is a service that the test's class loader also offers
                if (path.contains("/io/opentelemetry/") && !path.contains("opentelemetry-sdk-testing")) {
                    jars.add(Paths.get(entry).toUri().toURL());
                }
            }
            URLClassLoader loader = new URLClassLoader(jars.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
            AtomicInteger exported = new AtomicInteger();
            Class<?> exporterType = type(loader, "sdk.trace.export.SpanExporter");
            Class<?> resultType = type(loader, "sdk.common.CompletableResultCode");
            Object success = resultType.getMethod("ofSuccess").invoke(null);
            Object exporter = java.lang.reflect.Proxy.newProxyInstance(loader, new Class<?>[] {exporterType},
                    (proxy, method, arguments) -> {
                        if (method.getName().equals("export")) {
                            exported.addAndGet(((Collection<?>) arguments[0]).size());
                            return success;
                        }
                        if (method.getReturnType() == resultType) {
                            return success;
                        }
                        if (method.getName().equals("toString")) {
                            return "counting exporter";
                        }
                        return method.isDefault() ? java.lang.reflect.InvocationHandler.invokeDefault(proxy, method,
                                arguments) : null;
                    });
            Object processor = type(loader, "sdk.trace.export.SimpleSpanProcessor")
                    .getMethod("create", exporterType).invoke(null, exporter);
            Object tracers = type(loader, "sdk.trace.SdkTracerProvider").getMethod("builder").invoke(null);
            tracers.getClass().getMethod("addSpanProcessor", type(loader, "sdk.trace.SpanProcessor"))
                    .invoke(tracers, processor);
            Object tracerProvider = tracers.getClass().getMethod("build").invoke(tracers);
            Object builder = type(loader, "sdk.OpenTelemetrySdk").getMethod("builder").invoke(null);
            builder.getClass().getMethod("setTracerProvider", type(loader, "sdk.trace.SdkTracerProvider"))
                    .invoke(builder, tracerProvider);
            Object sdk = builder.getClass().getMethod("buildAndRegisterGlobal").invoke(builder);
            return new Deployment(loader, sdk, exported);
        }

        private static Class<?> type(ClassLoader loader, String name) throws ClassNotFoundException {
            return Class.forName("io.opentelemetry." + name, true, loader);
        }

        int spans() {
            return exported.get();
        }

        void close() throws Exception {
            sdk.getClass().getMethod("close").invoke(sdk);
            loader.close();
        }
    }

    @Test
    void theOpenTelemetryAgentsCopyComesFirst() {
        GlobalOpenTelemetry.set(sdk);
        // Stand-in for the agent's shaded copy on the bootstrap class path: same look-up, other prefix.
        Telemetry.agentPrefix = "io.opentelemetry";
        Telemetry.agentLoader = getClass().getClassLoader();
        Telemetry.applicationPrefix = "no.such.opentelemetry";
        install(KeyPrivacy.FULL, false);
        Telemetry.captureContext(this);
        assertThat(Telemetry.source()).isEqualTo(Backend.Source.OPENTELEMETRY_AGENT);
    }

    @Test
    void theEmbeddedSdkStartsOffTheCallingThreadAndEventsWaitForIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> thread = new AtomicReference<>();
        Telemetry.embeddedStarter = () -> {
            thread.set(Thread.currentThread().getName());
            release.await(10, TimeUnit.SECONDS);
            return sdk;
        };
        try {
            install(KeyPrivacy.FULL, true);
            assertThat(Telemetry.captureContext(this)).isNull();
            Telemetry.report(event(GuardAction.REPORTED, null)); // waits in the queue
            long droppedBefore = Telemetry.dropped();
            release.countDown();
            awaitThreads("stateguard-telemetry-init");
            assertThat(thread.get()).isEqualTo("stateguard-telemetry-init");
            assertThat(Telemetry.source()).isEqualTo(Backend.Source.EMBEDDED);
            assertThat(spans.getFinishedSpanItems()).hasSize(1);
            assertThat(Telemetry.dropped()).isEqualTo(droppedBefore);
        } finally {
            Telemetry.embeddedStarter = EmbeddedSdk::start;
        }
    }

    @Test
    void withoutAnExporterTheEmbeddedSdkNeverStarts() {
        AtomicReference<Boolean> started = new AtomicReference<>(false);
        Telemetry.embeddedStarter = () -> {
            started.set(true);
            return sdk;
        };
        try {
            install(KeyPrivacy.FULL, false);
            Telemetry.captureContext(this);
            Telemetry.report(event(GuardAction.REPORTED, null));
            assertThat(started.get()).isFalse();
            assertThat(Telemetry.source()).isNull();
        } finally {
            Telemetry.embeddedStarter = EmbeddedSdk::start;
        }
    }

    @Test
    void exporterConfiguredByTheStandardSettings() {
        Map<String, String> env = new HashMap<>();
        Properties sys = new Properties();
        assertThat(EmbeddedSdk.exporterConfigured(env, sys)).isFalse();
        env.put("OTEL_TRACES_EXPORTER", "none");
        sys.setProperty("otel.metrics.exporter", "none");
        assertThat(EmbeddedSdk.exporterConfigured(env, sys)).isFalse();
        env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318");
        assertThat(EmbeddedSdk.exporterConfigured(env, sys)).isTrue();
        env.clear();
        sys.setProperty("otel.traces.exporter", "otlp");
        assertThat(EmbeddedSdk.exporterConfigured(env, sys)).isTrue();
    }

    @Test
    void metricsReadTheAgentsOwnCounters() {
        collectMetrics();
    }

    @Test
    void checkedReadsOfReplicaCheckedRulesAreCountedWithTheReplicaRole() {
        Telemetry.counters(new AgentCounters() {
            @Override
            public long routedToPrimary(int rule) {
                return 0;
            }

            @Override
            public long checkedOnReplica(int rule) {
                return rule == 0 ? 2 : 0;
            }

            @Override
            public long trackedKeys() {
                return 7;
            }

            @Override
            public long marksReset(boolean absentOnPrimary) {
                return absentOnPrimary ? 3 : 1;
            }

            @Override
            public void unreadableVersions(Unreadable recorder) {
                recorder.count("binary", 4);
                recorder.count("not_found", 1);
            }
        });
        try {
            GlobalOpenTelemetry.set(sdk);
            install(KeyPrivacy.FULL, false);
            Telemetry.captureContext(this);
            Map<String, MetricData> byName = metrics.collectAllMetrics().stream()
                    .collect(Collectors.toMap(MetricData::getName, m -> m));
            assertThat(byName.get("stateguard.reads.routed").getLongSumData().getPoints())
                    .extracting(point -> point.getAttributes().get(AttributeKey.stringKey("stateguard.node.role"))
                            + "=" + point.getValue())
                    .containsExactlyInAnyOrder("primary=0", "replica=2", "primary=0");
            assertThat(byName.get("stateguard.tracked_keys").getLongGaugeData().getPoints())
                    .extracting(point -> point.getValue()).containsExactly(7L);
            assertThat(byName.get("stateguard.marks.reset").getLongSumData().getPoints())
                    .extracting(point -> point.getAttributes().get(AttributeKey.stringKey("cause")) + "=" + point.getValue())
                    .containsExactlyInAnyOrder("absent_on_primary=3", "older_on_primary=1");
            assertThat(byName.get("stateguard.versions.unreadable").getLongSumData().getPoints())
                    .extracting(point -> point.getAttributes().get(AttributeKey.stringKey("reason")) + "=" + point.getValue())
                    .containsExactlyInAnyOrder("binary=4", "not_found=1");
        } finally {
            Telemetry.counters(AgentCounters.NONE);
        }
    }

    private void collectMetrics() {
        GlobalOpenTelemetry.set(sdk);
        install(KeyPrivacy.FULL, false);
        Telemetry.captureContext(this);
        // The agent's counters are static and other tests add to them: the metrics must show exactly
        // what the counters hold, and the counters exactly one more than before.
        long inconsistenciesBefore = Inconsistencies.count("state", InconsistencyType.VERSION_REGRESSION,
                GuardAction.REPORTED);
        long errorsBefore = InternalErrors.count("telemetry.test");
        Inconsistencies.report(event(GuardAction.REPORTED, null));
        InternalErrors.record("telemetry.test", null);

        Collection<MetricData> collected = metrics.collectAllMetrics();
        Map<String, MetricData> byName = collected.stream().collect(Collectors.toMap(MetricData::getName, m -> m));
        assertThat(byName).containsOnlyKeys("stateguard.reads.routed", "stateguard.inconsistencies", "stateguard.errors",
                "stateguard.tracked_keys", "stateguard.marks.reset", "stateguard.failovers");
        assertThat(byName.get("stateguard.inconsistencies").getLongSumData().getPoints())
                .filteredOn(point -> "state".equals(point.getAttributes().get(AttributeKey.stringKey("stateguard.rule")))
                        && "version_regression".equals(point.getAttributes()
                                .get(AttributeKey.stringKey("stateguard.inconsistency.type")))
                        && "reported".equals(point.getAttributes().get(AttributeKey.stringKey("stateguard.action"))))
                .singleElement()
                .satisfies(point -> {
                    assertThat(point.getValue()).isEqualTo(inconsistenciesBefore + 1);
                    assertThat(point.getAttributes().size()).isEqualTo(3);
                });
        assertThat(byName.get("stateguard.errors").getLongSumData().getPoints())
                .filteredOn(point -> "telemetry.test".equals(point.getAttributes()
                        .get(AttributeKey.stringKey("stateguard.error.cause"))))
                .singleElement()
                .satisfies(point -> assertThat(point.getValue()).isEqualTo(errorsBefore + 1));
        assertThat(byName.get("stateguard.tracked_keys").getLongGaugeData().getPoints()).singleElement()
                .satisfies(point -> assertThat(point.getValue()).as("no version guard installed").isZero());
        assertThat(byName.get("stateguard.reads.routed").getLongSumData().getPoints())
                .extracting(point -> point.getAttributes().get(AttributeKey.stringKey("stateguard.rule")) + "/"
                        + point.getAttributes().get(AttributeKey.stringKey("stateguard.node.role")) + "="
                        + point.getValue())
                .as("no counters connected: every rule at 0, no replica role")
                .containsExactlyInAnyOrder("default/primary=0", "state/primary=0");
    }

    @Test
    void theEmbeddedSdkGivesWayToTheApplicationsOnceTheApplicationSetsOne() throws Exception {
        InMemorySpanExporter embeddedSpans = InMemorySpanExporter.create();
        AtomicInteger embeddedShutdowns = new AtomicInteger();
        OpenTelemetrySdk embedded = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(embeddedSpans))
                        .addSpanProcessor(new SpanProcessor() {
                            @Override
                            public void onStart(Context parentContext, ReadWriteSpan span) {
                            }

                            @Override
                            public boolean isStartRequired() {
                                return false;
                            }

                            @Override
                            public void onEnd(ReadableSpan span) {
                            }

                            @Override
                            public boolean isEndRequired() {
                                return false;
                            }

                            @Override
                            public CompletableResultCode shutdown() {
                                embeddedShutdowns.incrementAndGet();
                                return CompletableResultCode.ofSuccess();
                            }
                        })
                        .build())
                .build();
        Telemetry.embeddedStarter = () -> embedded;
        AtomicLong now = new AtomicLong();
        Telemetry.nanoClock = now::get;
        Telemetry.retryNanos = 1_000_000_000L;
        List<String> log = AgentLogCapture.capture(() -> {
            install(KeyPrivacy.FULL, true);
            Telemetry.touch();
            awaitThreadsUnchecked("stateguard-telemetry-init");
            Telemetry.report(event(GuardAction.REPORTED, null));

            GlobalOpenTelemetry.set(sdk); // the application registers its SDK later
            now.set(999_999_999L);
            Telemetry.report(event(GuardAction.REPORTED, null));
            assertThat(Telemetry.source()).as("not looked for again within the second").isEqualTo(Backend.Source.EMBEDDED);
            // (its exporter forgets its spans when the SDK shuts down: counted now)
            assertThat(embeddedSpans.getFinishedSpanItems()).hasSize(2);
            assertThat(embeddedShutdowns.get()).isZero();
            now.set(1_000_000_000L);
            Telemetry.touch();
            awaitThreadsUnchecked("stateguard-telemetry-stop");
            Telemetry.report(event(GuardAction.FAILED, null));
            now.set(5_000_000_000L);
            Telemetry.touch();
        });
        assertThat(Telemetry.source()).isEqualTo(Backend.Source.APPLICATION);
        assertThat(embeddedShutdowns.get()).as("the embedded SDK is stopped once replaced").isEqualTo(1);
        assertThat(spans.getFinishedSpanItems()).singleElement()
                .satisfies(span -> assertThat(attributes(span)).containsEntry("stateguard.action", "failed"));
        assertThat(log).containsExactly(
                "[stateguard] INFO telemetry: spans and metrics go to the embedded OpenTelemetry SDK",
                "[stateguard] INFO telemetry: spans and metrics go to the application's GlobalOpenTelemetry");
    }

    @Test
    void theApplicationsSdkIsLookedForAtMostOnceASecond() {
        AtomicLong now = new AtomicLong(-500_000_000L); // nanoTime may be negative
        Telemetry.nanoClock = now::get;
        Telemetry.retryNanos = 1_000_000_000L;
        install(KeyPrivacy.FULL, false);
        Telemetry.touch();
        assertThat(Telemetry.source()).isNull();
        GlobalOpenTelemetry.set(sdk);
        for (long at : new long[] {-500_000_000L, 0L, 499_999_999L}) {
            now.set(at);
            Telemetry.touch();
            assertThat(Telemetry.captureContext(this)).isNull();
            Telemetry.report(event(GuardAction.REPORTED, null));
            assertThat(Telemetry.source()).as("at %d ns: the last look was less than a second ago", at).isNull();
        }
        assertThat(spans.getFinishedSpanItems()).isEmpty();
        now.set(500_000_000L); // one second after the first look
        Telemetry.report(event(GuardAction.REPORTED, null));
        assertThat(Telemetry.source()).isEqualTo(Backend.Source.APPLICATION);
        assertThat(spans.getFinishedSpanItems()).hasSize(1);
    }

    @Test
    void anEmbeddedSdkThatFailsToStartFailsOpenIsCountedAndLoggedOnce() throws Exception {
        AtomicInteger starts = new AtomicInteger();
        Telemetry.embeddedStarter = () -> {
            starts.incrementAndGet();
            throw new IllegalStateException("no exporter on the class path");
        };
        long errorsBefore = InternalErrors.count("telemetry.embedded");
        List<String> log = AgentLogCapture.capture(() -> {
            install(KeyPrivacy.FULL, true);
            assertThat(Telemetry.captureContext(this)).isNull();
            awaitThreadsUnchecked("stateguard-telemetry-init");
            for (int i = 0; i < 5; i++) { // retryNanos is 0: every call looks again
                Telemetry.touch();
                assertThat(Telemetry.captureContext(this)).isNull();
                Telemetry.report(event(GuardAction.REPORTED, null));
                awaitThreadsUnchecked("stateguard-telemetry-init");
            }
        });
        assertThat(starts.get()).as("never retried").isEqualTo(1);
        assertThat(InternalErrors.count("telemetry.embedded")).isEqualTo(errorsBefore + 1);
        assertThat(Telemetry.source()).isNull();
        assertThat(log).containsExactly("[stateguard] WARN telemetry: the embedded OpenTelemetry SDK did not start"
                + " (java.lang.IllegalStateException: no exporter on the class path); inconsistencies are only logged");
        // The application's SDK is still taken when it comes.
        GlobalOpenTelemetry.set(sdk);
        Telemetry.report(event(GuardAction.REPORTED, null));
        assertThat(Telemetry.source()).isEqualTo(Backend.Source.APPLICATION);
        assertThat(spans.getFinishedSpanItems()).hasSize(1);
    }

    @Test
    void eventsBeyondTheQueueAreDroppedAndCountedWithoutWaiting() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Telemetry.embeddedStarter = () -> {
            release.await();
            return sdk;
        };
        long droppedBefore = Telemetry.dropped();
        Telemetry.nanoClock = () -> 0L; // one look-up for the whole test: the reports only queue
        Telemetry.retryNanos = 1_000_000_000L;
        install(KeyPrivacy.FULL, true);
        Telemetry.touch();
        for (int i = 0; i < Telemetry.MAX_WAITING + 7; i++) {
            Telemetry.report(event(GuardAction.REPORTED, null));
        }
        // The starter is still held: every report above returned without waiting for it.
        assertThat(threads("stateguard-telemetry-init")).singleElement().satisfies(t -> assertThat(t.isAlive()).isTrue());
        assertThat(Telemetry.dropped()).isEqualTo(droppedBefore + 7);
        assertThat(spans.getFinishedSpanItems()).isEmpty();
        release.countDown();
        awaitThreads("stateguard-telemetry-init");
        assertThat(spans.getFinishedSpanItems()).hasSize(Telemetry.MAX_WAITING);
        assertThat(Telemetry.dropped()).isEqualTo(droppedBefore + 7);
        Telemetry.report(event(GuardAction.REPORTED, null));
        assertThat(spans.getFinishedSpanItems()).as("once started, no queue").hasSize(Telemetry.MAX_WAITING + 1);
    }

    @Test
    void eventsWaitingForAnSdkThatFailedAreDroppedAndCounted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Telemetry.embeddedStarter = () -> {
            release.await();
            throw new IllegalStateException("bad endpoint");
        };
        long droppedBefore = Telemetry.dropped();
        AgentLogCapture.capture(() -> {
            install(KeyPrivacy.FULL, true);
            Telemetry.touch();
            for (int i = 0; i < 3; i++) {
                Telemetry.report(event(GuardAction.REPORTED, null));
            }
            release.countDown();
            awaitThreadsUnchecked("stateguard-telemetry-init");
        });
        assertThat(Telemetry.dropped()).isEqualTo(droppedBefore + 3);
        assertThat(spans.getFinishedSpanItems()).isEmpty();
    }

    private static List<Thread> threads(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).toList();
    }

    /** Waits until the agent's threads named {@code name} have ended (they never wait on anything of the test's unless told). */
    private static void awaitThreads(String name) throws InterruptedException {
        for (Thread thread : threads(name)) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(thread.isAlive()).as("%s still running", name).isFalse();
        }
    }

    private static void awaitThreadsUnchecked(String name) {
        try {
            awaitThreads(name);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private SpanData single(String name) {
        List<SpanData> finished = spans.getFinishedSpanItems().stream().filter(span -> span.getName().equals(name))
                .toList();
        assertThat(finished).hasSize(1);
        return finished.get(0);
    }

    private static Map<String, Object> attributes(SpanData span) {
        Map<String, Object> attributes = new HashMap<>();
        span.getAttributes().forEach((key, value) -> attributes.put(key.getKey(), value));
        return attributes;
    }
}
